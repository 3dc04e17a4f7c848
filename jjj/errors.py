"""Root of the platform's runtime exceptions.

    JJJError                      every error raised on purpose by jjj.*, hub.*, adapters.*
    ├── ConfigError               a JJJ_* setting is missing or malformed
    ├── BrokerError               the local broker could not be fetched, started or stopped
    │   └── ToolMissingError      Java or Maven is not installed
    └── BusError                  a Kafka call failed (wraps kafka-python's exceptions; carries topic)

Foreign exceptions (kafka.errors.*, subprocess errors) never escape the module that talks to the foreign library.
"""

from __future__ import annotations


class JJJError(Exception):
    """Base class; `context` holds what an operator needs to find the cause (topic, offset, message id, ...)."""

    def __init__(self, message: str, **context: object) -> None:
        super().__init__(message)
        self.context = context

    def __str__(self) -> str:
        base = super().__str__()
        if not self.context:
            return base
        extra = ", ".join(f"{k}={v}" for k, v in self.context.items())
        return f"{base} ({extra})"


class ConfigError(JJJError):
    """A JJJ_* setting is missing or malformed."""


class BrokerError(JJJError):
    """The local development broker could not be fetched, started or stopped."""


class ToolMissingError(BrokerError):
    """A required external tool (java, mvn) is not on PATH."""


class BusError(JJJError):
    """A Kafka operation failed."""
