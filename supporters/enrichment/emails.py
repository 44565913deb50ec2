"""Emails normalized and syntax-checked, offline (no DNS: deliverability checks are off)."""

from __future__ import annotations

from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

NAME = "emails"
VERSION = 1


@dataclass(frozen=True)
class EmailResult:
    normalized: str
    is_valid: bool
    problem: str


def enrich_email(address: str) -> EmailResult:
    """Normalize ``address`` (lower-cased domain, Unicode NFC); say what is wrong if invalid."""
    try:
        checked = validate_email(address.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        return EmailResult(normalized="", is_valid=False, problem=str(error)[:200])
    # Mailbox names are case-sensitive in theory, never in practice: compare lower-cased.
    return EmailResult(normalized=checked.normalized.lower(), is_valid=True, problem="")
