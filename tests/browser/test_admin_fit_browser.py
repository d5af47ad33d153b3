"""The committee's lists at 1280 px, as a new member sees them: no column clipped (no cell or
box hides part of its content sideways), bylines that do not wrap into tall rows, the save
button of a bulk edit within reach, and the site's name in the header."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from program.models import Talk
from tests.browser.support import BROWSER_MARKS, DESKTOP, PHONE, SCREENSHOTS, launch_chromium
from tests.conftest import SEED
from tests.factories import AuthorshipFactory

pytestmark = BROWSER_MARKS

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

# For every cell and for the list's box: how many pixels of content are hidden sideways.
CLIPPED = """() => {
  const hidden = [];
  const box = document.querySelector('#changelist .results');
  const hide = (what, el) => el.scrollWidth - el.clientWidth;
  if (box && hide('box', box) > 0) hidden.push(['box', hide('box', box)]);
  for (const cell of document.querySelectorAll('#result_list th, #result_list td')) {
    if (hide('', cell) > 1) hidden.push([cell.className, hide('', cell)]);
  }
  return hidden;
}"""
TALLEST_BYLINE = """() => Math.max(0,
  ...[...document.querySelectorAll('#result_list td.field-authors span')].map(el => Math.round(
    el.getBoundingClientRect().height / parseFloat(getComputedStyle(el).lineHeight))))"""


@pytest.fixture
def lists(live_server, transactional_db, opml20, admin_user):
    client = Client()
    client.force_login(admin_user)
    talk = Talk.objects.filter(session__conference=opml20).first()
    for n in range(5):  # a long byline: six people with long organisation names
        AuthorshipFactory(
            talk=talk,
            position=100 + n,
            speaker__name=f"Maximiliane Oberhuber-Castellanos {n}",
            affiliation__name=f"Institute for Very Long Organisation Names {n}",
        )
    return {
        "base": live_server.url,
        "cookie": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "talk_list": reverse("admin:program_talk_changelist"),
        "session_list": reverse("admin:program_session_changelist"),
        "import": reverse("admin:program_conference_import"),
        "seed": str(SEED),
    }


@pytest.fixture
def page(lists):
    with sync_api.sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(viewport=DESKTOP, locale="en-US")
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": lists["cookie"], "url": lists["base"]}]
        )
        yield context.new_page()
        browser.close()


@pytest.mark.parametrize("name", ["talk_list", "session_list"])
def test_no_column_is_clipped_at_1280_pixels(page, lists, name):
    page.goto(lists["base"] + lists[name])
    page.screenshot(path=SCREENSHOTS / f"admin-{name}-fit-1280.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    assert page.evaluate(CLIPPED) == []
    assert settings.SITE_NAME in page.locator("#site-name").inner_text()


def test_bylines_stay_short_and_save_is_in_reach(page, lists):
    page.goto(lists["base"] + lists["talk_list"])
    assert page.evaluate(TALLEST_BYLINE) <= 4
    # The bulk edit's Save (media links) is on screen without scrolling to the page's end.
    save = page.locator("#changelist-form input[name=_save]").first
    box = save.bounding_box()
    assert box is not None
    assert 0 <= box["y"] <= DESKTOP["height"] - box["height"]


def test_the_import_summary_fits_a_phone(page, lists):
    page.set_viewport_size(PHONE)
    page.goto(lists["base"] + lists["import"])
    page.get_by_label("Program text file").set_input_files(lists["seed"])
    page.get_by_label("Slug of the new conference").fill("opml20-again")
    page.get_by_role("button", name="Check the file (dry run)").click()
    page.get_by_role("heading", name="Dry run: nothing has been written yet").wait_for()
    page.screenshot(path=SCREENSHOTS / "admin-import-dry-run-phone.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
