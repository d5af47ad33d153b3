"""The committee's admin in a real browser: the talk and session pages and the talk list fit a
1280 px screen, the time zone note Django adds on devices in another zone is gone, and the merge
page's plan follows the record chosen to keep."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from program.models import Session, Talk
from speakers.models import Affiliation
from tests.browser.support import BROWSER_MARKS, SCREENSHOTS
from tests.factories import AffiliationFactory

pytestmark = BROWSER_MARKS


@pytest.fixture
def admin_data(live_server, transactional_db, opml20, admin_user):
    """Addresses and a logged-in session cookie, made before Playwright owns this thread."""
    client = Client()
    client.force_login(admin_user)
    talk = Talk.objects.filter(session__conference=opml20).first()
    session = Session.objects.get(conference=opml20, number=1)
    AffiliationFactory(name="Intuit Incorporated")
    affiliations = list(Affiliation.objects.filter(name__startswith="Intuit").order_by("pk"))
    return {
        "base": live_server.url,
        "cookie": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "talk_change": reverse("admin:program_talk_change", args=[talk.pk]),
        "session_change": reverse("admin:program_session_change", args=[session.pk]),
        "talk_list": reverse("admin:program_talk_changelist"),
        "session_list": reverse("admin:program_session_changelist"),
        "affiliation_list": reverse("admin:speakers_affiliation_changelist"),
        "affiliations": [(a.pk, a.name) for a in affiliations],
    }


@pytest.fixture
def admin_page(admin_data, chromium):
    # A committee member in Berlin: Django would say "9 hours ahead of server time".
    context = chromium.new_context(
        viewport={"width": 1280, "height": 900}, timezone_id="Europe/Berlin", locale="en-US"
    )
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": admin_data["cookie"],
                "url": admin_data["base"],
            }
        ]
    )
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return page


@pytest.mark.parametrize("name", ["talk_change", "session_change", "talk_list", "session_list"])
def test_admin_pages_fit_1280_pixels(admin_page, admin_data, name):
    admin_page.goto(admin_data["base"] + admin_data[name])
    admin_page.screenshot(path=SCREENSHOTS / f"admin-{name}-1280.png", full_page=True)
    assert admin_page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert admin_page.errors == []


@pytest.mark.parametrize("name", ["talk_list", "session_list"])
def test_changelist_columns_are_all_visible(admin_page, admin_data, name):
    admin_page.goto(admin_data["base"] + admin_data[name])
    last = admin_page.locator("#result_list thead th").last
    box = last.bounding_box()
    assert box["x"] + box["width"] <= 1280


def test_no_server_time_note_on_a_device_in_another_zone(admin_page, admin_data):
    admin_page.goto(admin_data["base"] + admin_data["session_change"])
    notes = admin_page.locator(".timezonewarning")
    assert all(not notes.nth(i).is_visible() for i in range(notes.count()))
    assert "whatever your device's zone" in admin_page.locator("div.field-start").inner_text()


def test_the_merge_plan_follows_the_record_chosen_to_keep(admin_page, admin_data):
    admin_page.goto(admin_data["base"] + admin_data["affiliation_list"] + "?q=Intuit")
    for pk, _ in admin_data["affiliations"]:
        admin_page.locator(f'input[name="_selected_action"][value="{pk}"]').check()
    admin_page.select_option('select[name="action"]', "merge")
    admin_page.get_by_role("button", name="Go").click()
    heading = admin_page.locator("#merge-plan h2")
    (_, first), (other_pk, other) = admin_data["affiliations"][:2]
    kept = first if first in heading.inner_text() else other
    switch_to = other if kept == first else first
    switch_pk = other_pk if kept == first else admin_data["affiliations"][0][0]
    admin_page.locator(f'input[name="target"][value="{switch_pk}"]').check()
    admin_page.wait_for_function(
        "name => document.querySelector('#merge-plan h2').textContent.includes(name)", arg=switch_to
    )
    assert admin_page.get_by_role("button", name=f"Yes, merge into “{switch_to}”").is_visible()
    assert admin_page.errors == []
