"""Small objects shared by several families: facilities, contacts, cross-region references."""

from __future__ import annotations

from schemas import fields as f
from schemas.base import ContractSchema


class Contact(ContractSchema):
    """A duty contact: role, masked name (contracts.md "Privacy") and an office phone."""

    role = f.Text(max_length=50, required=True)
    masked_name = f.MaskedName()
    phone = f.Phone(required=True)


class Facility(ContractSchema):
    """An eldercare facility: its own id, name and GB/T 2260 county code."""

    facility_id = f.Ident(required=True)
    name = f.Text(max_length=100, required=True)
    unit_code = f.CountyCode(required=True)


class EventRef(ContractSchema):
    """A disaster event as another region knows it (cross-border link)."""

    region = f.Region(required=True)
    event_id = f.Ident(required=True)
