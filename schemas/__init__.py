"""The contract of the 京津冀民政协同平台: envelope, message kinds, payload schemas, reference data, serde.

Every region and the hub code against this package::

    from schemas import build_message, encode, decode, ContractError, ReceiptCode, KINDS
"""

from schemas.codes import ReceiptCode
from schemas.envelope import new_message_id
from schemas.errors import (
                            ContractError,
                            EnvelopeError,
                            MessageTooLarge,
                            RuleViolation,
                            SchemaInvalid,
                            SenderNotAllowed,
                            UnknownMajorVersion,
)
from schemas.registry import KINDS, KindSpec
from schemas.serde import decode, encode
from schemas.validate import build_message, validate_message

__all__ = [
    "KINDS", "ContractError", "EnvelopeError", "KindSpec", "MessageTooLarge", "ReceiptCode", "RuleViolation",
    "SchemaInvalid", "SenderNotAllowed", "UnknownMajorVersion", "build_message", "decode", "encode",
    "new_message_id", "validate_message",
]
