"""Phone, email and ZIP fields ask a phone for the right keyboard (issue 16, item 9): on
every form of ours, and on the pages a volunteer types them into."""

from __future__ import annotations

import importlib
import re

import pytest
from django import forms
from django.urls import reverse

FORM_MODULES = [
    "supporters.forms",
    "supporters.views_review",
    "supporters.views_segments",
    "conversations.forms",
    "conversations.views_lists",
    "conversations.views_rules",
    "organizing.forms",
    "organizing.views_api_keys",
    "organizing.views_webhooks",
]


def _our_forms():
    for module_name in FORM_MODULES:
        module = importlib.import_module(module_name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, forms.BaseForm)
                and value.__module__ == module_name
            ):
                yield value


def _keyboard(field: forms.Field) -> tuple[str, str]:
    widget = field.widget
    return widget.attrs.get("type", getattr(widget, "input_type", "")), widget.attrs.get(
        "inputmode", ""
    )


def test_every_phone_email_and_zip_field_asks_for_its_keyboard():
    seen = []
    for form_class in _our_forms():
        for name, field in form_class.base_fields.items():
            if isinstance(field.widget, forms.HiddenInput):
                continue
            where = f"{form_class.__name__}.{name}"
            if "phone" in name:
                assert _keyboard(field) == ("tel", "tel"), where
                seen.append(where)
            elif "email" in name:
                assert _keyboard(field) == ("email", "email"), where
                seen.append(where)
            elif "postal" in name or "zip" in name:
                assert _keyboard(field)[1] == "numeric", where
                seen.append(where)
    assert {
        "SupporterCreateForm.phone",
        "SupporterCreateForm.email",
        "SupporterCreateForm.postal_code",
        "InvitationForm.email",
    } <= set(seen)


@pytest.mark.django_db
def test_the_add_a_person_page_shows_a_phone_the_right_keyboards(client, volunteer):
    client.force_login(volunteer)
    html = client.get(reverse("supporters:create")).content.decode()

    def tag(name):
        return re.search(rf'<input[^>]*name="{name}"[^>]*>', html)[0]

    assert 'type="tel"' in tag("phone") and 'inputmode="tel"' in tag("phone")
    assert 'type="email"' in tag("email") and 'inputmode="email"' in tag("email")
    assert 'inputmode="numeric"' in tag("postal_code")


@pytest.mark.django_db
def test_sign_in_asks_for_an_email_keyboard(client):
    html = client.get(reverse("account_login")).content.decode()
    login = re.search(r'<input[^>]*name="login"[^>]*>', html)[0]
    assert 'type="email"' in login
