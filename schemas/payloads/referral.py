"""Urgent-assistance referral 救急难 异地转办 (domain.md §4): sent, accepted/rejected, in progress, closed.

The region where the emergency happened (B) gives small first aid and refers the person to the
region of household registration (A); ``referral_id`` is B's id and the partition key.
"""

from __future__ import annotations

from collections.abc import Iterator

from schemas import fields as f
from schemas import refdata
from schemas.base import ContractSchema
from schemas.errors import FieldError
from schemas.payloads.common import Contact
from schemas.rules import violation

SITUATIONS = ("illness", "accident", "disaster", "stranded", "homeless", "other")
NEEDS = ("follow_up_assistance", "verification", "placement", "medical_assistance", "return_home")
REJECT_REASONS = ("not_registered_here", "duplicate", "insufficient_information", "already_assisted", "other")
STEPS = ("contacted", "verification_started", "assistance_granted", "placement_arranged", "other")
OUTCOMES = ("assisted", "not_eligible", "withdrawn", "unreachable", "transferred")


class Referral(ContractSchema):
    """A case referred to the household-registration region."""

    referral_id = f.Ident(required=True)
    to_region = f.Region(required=True)
    referring_unit_code = f.DivisionCode(required=True)
    person_ref = f.PersonRef(required=True)
    masked_name = f.MaskedName(required=True)
    household_registration_code = f.DivisionCode(required=True)
    situation = f.Choice(SITUATIONS, required=True)
    description = f.Text(max_length=2000, required=True)
    first_aid_fen = f.Fen(required=True)
    first_aid_at = f.Timestamp()
    needs = f.ListOf(f.Choice(NEEDS), required=True, min_items=1, max_items=len(NEEDS))
    acknowledge_by = f.Timestamp(required=True)
    contact = f.Nested(Contact, required=True)


class Acceptance(ContractSchema):
    referral_id = f.Ident(required=True)
    accepted_at = f.Timestamp(required=True)
    handling_unit_code = f.DivisionCode(required=True)
    contact = f.Nested(Contact, required=True)
    note = f.Text(max_length=1000)


class Rejection(ContractSchema):
    referral_id = f.Ident(required=True)
    rejected_at = f.Timestamp(required=True)
    reason_code = f.Choice(REJECT_REASONS, required=True)
    reason = f.Text(max_length=1000, required=True)


class Progress(ContractSchema):
    referral_id = f.Ident(required=True)
    step_at = f.Timestamp(required=True)
    step = f.Choice(STEPS, required=True)
    amount_fen = f.Fen()
    note = f.Text(max_length=1000)


class Closure(ContractSchema):
    referral_id = f.Ident(required=True)
    closed_at = f.Timestamp(required=True)
    outcome = f.Choice(OUTCOMES, required=True)
    total_assistance_fen = f.Fen(required=True)
    note = f.Text(max_length=1000)


def referral_rules(payload: dict) -> Iterator[FieldError]:
    code = payload["household_registration_code"]
    if refdata.region_of(code) != payload["to_region"]:
        yield violation("referral.household_region", "payload.to_region",
                        f"The household registration {code} is not in region {payload['to_region']}.",
                        f"户籍地 {code} 不在接收地区 {payload['to_region']}。")
