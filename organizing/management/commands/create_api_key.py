"""manage.py create_api_key EMAIL --scopes read,write,export [--name NAME] [--expires-days N]

Prints the key as the last line of output. It is shown once and stored only as a hash.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from organizing.models import User
from organizing.services import api_key_create


class Command(BaseCommand):
    help = "Make an API key for a user and print it (shown once)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--scopes", default="read", help="Comma-separated: read,write,export")
        parser.add_argument("--name", default="")
        parser.add_argument("--expires-days", type=int, default=None)

    def handle(self, *args, email, scopes, name, expires_days, **options):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None or not user.is_active:
            raise CommandError(f"No active user with the email {email}.")
        expires_at = None
        if expires_days is not None:
            if expires_days < 1:
                raise CommandError("--expires-days must be at least 1.")
            expires_at = timezone.now() + timedelta(days=expires_days)
        try:
            api_key, raw_key = api_key_create(
                actor=user,
                user=user,
                scopes=[scope.strip() for scope in scopes.split(",") if scope.strip()],
                name=name or "made with manage.py",
                expires_at=expires_at,
            )
        except (PermissionDenied, ValidationError) as error:
            raise CommandError(" ".join(getattr(error, "messages", [str(error)]))) from None
        self.stdout.write(
            f"API key {api_key.prefix}… for {user.email} with scopes "
            f"{', '.join(api_key.scopes)}. It is shown once; keep it somewhere safe:"
        )
        self.stdout.write(raw_key)
