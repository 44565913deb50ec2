"""Deployment checks of ours (``manage.py check --deploy``)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def field_encryption_keys_check(app_configs, **kwargs):
    """Sensitive text is sealed with a key derived from DJANGO_SECRET_KEY unless
    FIELD_ENCRYPTION_KEYS is set: a leaked secret key would then open it too."""
    if not getattr(settings, "FIELD_ENCRYPTION_KEYS_DERIVED", False):
        return []
    return [
        Warning(
            "FIELD_ENCRYPTION_KEYS is not set: sensitive text is encrypted with a key derived "
            "from DJANGO_SECRET_KEY.",
            hint="Set FIELD_ENCRYPTION_KEYS to a key from "
            '`make manage ARGS="field_keys_rotate --new-key"`, then run field_keys_rotate.',
            id="earshot.W001",
        )
    ]
