"""The hub's pure reconciliation rules.

Nothing in this package performs I/O, reads a clock or imports Flask, Kafka, SQLAlchemy, requests or
APScheduler (enforced by import-linter, see ``pyproject.toml``). Every rule is a plain function over
immutable data; callers pass ``now`` in. Final states are functions of the *set* of messages received:
arrival order and duplicates never change them (contracts.md, "Late and out-of-order messages are normal").
"""
