""" "My picks" in a real browser, on a phone and a desktop: pick, subscribe, pick more, and the
feed the calendar subscribed to shows the new picks at the same address."""

import icalendar
import pytest

from program.models import Session, Talk
from tests import tools
from tests.browser.support import BROWSER_MARKS, SCREENSHOTS

pytestmark = BROWSER_MARKS

axe = tools.load("axe_playwright_python.sync_playwright", "axe is not installed (make install-dev)")
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture
def picks_data(live_server, transactional_db, opml20):
    """What the test picks, read before Playwright starts (it then owns this thread)."""
    session = Session.objects.get(conference=opml20, number=1)
    talk = Talk.objects.filter(session__conference=opml20, session__number=3).first()
    return {
        "base": live_server.url,
        "program": f"{live_server.url}{opml20.get_absolute_url()}",
        "session": (str(session.uid), str(session)),
        "talk": (str(talk.uid), talk.title),
    }


@pytest.fixture
def browser(picks_data, chromium):
    return chromium


def feed_uids(page, url):
    response = page.request.get(url)
    assert response.status == 200
    calendar = icalendar.Calendar.from_ical(response.body())
    return {str(event["UID"]).split("@")[0] for event in calendar.walk("VEVENT")}


@pytest.mark.parametrize("width", [375, 1280])
def test_pick_subscribe_pick_more_and_the_same_feed_follows(browser, picks_data, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-US")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(picks_data["program"])
    session_uid, session_label = picks_data["session"]
    talk_uid, talk_title = picks_data["talk"]

    star = page.get_by_role("button", name=f"Pick “{session_label}” for my calendar")
    with page.expect_response(lambda r: r.url.endswith("/picks/lists/") and r.status == 201):
        star.click()
    assert star.get_attribute("aria-pressed") == "true"
    subscribe = page.locator("[data-picks-subscribe]").first
    webcal = subscribe.get_attribute("href")
    assert webcal.startswith("webcal://")
    feed_url = "http://" + webcal.removeprefix("webcal://")
    assert feed_uids(page, feed_url) == {session_uid}

    talk_star = page.get_by_role("button", name=f"Pick “{talk_title}” for my calendar")
    with page.expect_response(lambda r: r.request.method == "PUT" and r.status == 200):
        talk_star.click()
    assert page.locator("[data-picks-subscribe]").first.get_attribute("href") == webcal
    assert feed_uids(page, feed_url) == {session_uid, talk_uid}
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    results = axe.Axe().run(page, options=WCAG)
    assert results.response["violations"] == [], results.generate_report()
    page.screenshot(path=SCREENSHOTS / f"picks-program-{width}.png")

    # "My picks" shows the server's list, and the browser that made it may delete it.
    page.goto(f"{picks_data['base']}/picks/")
    page.wait_for_url("**/picks/*/")
    items = page.locator(".picked-item a")
    assert items.all_inner_texts() == [session_label, talk_title]
    results = axe.Axe().run(page, options=WCAG)
    assert results.response["violations"] == [], results.generate_report()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=SCREENSHOTS / f"picks-page-{width}.png", full_page=True)
    page.get_by_role("button", name="Delete my picks and their feed").click()
    page.wait_for_url(f"{picks_data['base']}/picks/")
    assert page.request.get(feed_url).status == 404
    assert errors == []
    context.close()


def test_without_javascript_there_are_no_pick_buttons(browser, picks_data):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(picks_data["program"])
    assert page.locator("main button:not([type=submit])").count() == 0
    assert page.locator("[data-pick]").count() > 0
    context.close()
