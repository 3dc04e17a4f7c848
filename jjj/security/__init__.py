"""Security of the platform: secure broker profile, SCRAM users and ACLs, PII scanning, promise table."""
