"""A speaker's own page in a real browser: the e-mailed link opens it (its secret read from the
address's fragment by the page's script), and the speaker proposes a new bio and a photo."""

import pytest

from selfservice.models import Proposal, SpeakerLink
from speakers.models import Speaker
from tests.browser.support import BROWSER_MARKS, SCREENSHOTS, launch_chromium
from tests.factories import AuthorshipFactory, image_bytes

pytestmark = BROWSER_MARKS

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


@pytest.fixture
def speaker_link(live_server, transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    authorship = AuthorshipFactory(speaker__name="Grace Hopper", speaker__bio="Old bio.")
    _, secret = SpeakerLink.issue(authorship.speaker, None)
    photo = tmp_path / "grace.png"
    photo.write_bytes(image_bytes("PNG", (480, 480)))
    return {
        "url": f"{live_server.url}/speaker-page/open/#{secret}",
        "secret": secret,
        "speaker": authorship.speaker,
        "talk": authorship.talk.title,
        "photo": photo,
    }


def test_a_speaker_proposes_a_bio_and_a_photo(speaker_link):
    with sync_api.sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        problems, requests = [], []
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("request", lambda request: requests.append(request))
        page.goto(speaker_link["url"])
        page.wait_for_url("**/speaker-page/")
        assert speaker_link["secret"] not in page.url
        assert page.get_by_role("heading", name="Your speaker page").is_visible()
        assert page.get_by_role("link", name=speaker_link["talk"]).is_visible()

        page.get_by_label("Bio").fill("Rear admiral, compiler pioneer.")
        page.get_by_label("Photo").set_input_files(str(speaker_link["photo"]))
        page.get_by_role("button", name="Send to the committee").click()
        page.wait_for_url("**/speaker-page/?sent=1")
        assert page.get_by_text("your proposal has reached the program committee").is_visible()
        pending = page.locator(".speaker-pending")
        assert "Rear admiral, compiler pioneer." in pending.inner_text()
        assert pending.get_by_role("img", name="Your proposed photo").count() == 1
        page.screenshot(path=SCREENSHOTS / "speaker-page-proposed.png", full_page=True)
        browser.close()

    # Every request stayed on the site, and none carried the secret or a Referer with it.
    assert all(r.url.startswith(speaker_link["url"].split("/speaker-page")[0]) for r in requests)
    assert not any(speaker_link["secret"] in r.url for r in requests)
    assert not any(speaker_link["secret"] in (r.headers.get("referer") or "") for r in requests)
    assert problems == []
    proposal = Proposal.objects.get()
    assert proposal.changes["bio"] == "Rear admiral, compiler pioneer."
    assert proposal.changes["photo"]["width"] == 480
    assert Speaker.objects.get().bio == "Old bio."  # nothing public before approval
