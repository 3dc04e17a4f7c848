"""Payload schemas and cross-field rules, one module per family (domain.md §1–§5, contracts.md)."""
