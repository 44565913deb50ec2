"""The mapping page on a phone: every column stacks, nothing scrolls sideways."""

from __future__ import annotations

import pytest

from supporters.importing.services import import_upload
from tests.browser.conftest import PHONE, screenshot
from tests.browser.test_sign_in import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_mapping_fits_a_phone(live_server, page_factory, organizer, eastside, settings, tmp_path):
    settings.IMPORT_DIR = tmp_path
    text = "VANID,FirstName,LastName,Cell Phone,Email Address,Zip5,Unknown header\n"
    text += "1001,Maria,Delgado,(773) 555-0142,maria.delgado@example.org,60622,x\n"
    job = import_upload(actor=organizer, team=eastside, file_name="van.csv", data=text.encode())
    page = page_factory(PHONE)
    sign_in(page, live_server, organizer)
    page.goto(f"{live_server.url}/supporters/imports/{job.pk}/")
    page.get_by_role("heading", name="1. Columns").wait_for()
    assert page.get_by_label("VANID").input_value() == "external_id:van"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "import-mapping-phone")
