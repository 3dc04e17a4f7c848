"""Generators of the published artifacts (JSON Schema, examples, AsyncAPI) and the sample messages."""
