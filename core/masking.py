"""Masking of personal data for viewers who do not need to see it in full."""

from __future__ import annotations


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    digits = value.strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


def mask_id_number(value: str | None) -> str:
    if not value:
        return ""
    v = value.strip()
    if len(v) <= 8:
        return v[:1] + "*" * (len(v) - 1)
    return f"{v[:4]}{'*' * (len(v) - 8)}{v[-4:]}"


def mask_email(value: str | None) -> str:
    if not value or "@" not in value:
        return value or ""
    local, _, domain = value.partition("@")
    shown = local[:1] if len(local) <= 2 else local[:2]
    return f"{shown}***@{domain}"


def mask_contact(field_name: str, value: str | None) -> str:
    """Mask a contact field by what it holds: an e-mail, a phone, or a person's name (surname)."""
    if not value:
        return ""
    if "@" in value:
        return mask_email(value)
    if "phone" in field_name:
        return mask_phone(value)
    return value[:1] + "**"
