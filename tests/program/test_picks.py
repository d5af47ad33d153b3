""" "My picks" lists: the JSON endpoints, the stable feed, the page, limits and expiry."""

import io
import json
from datetime import timedelta

import icalendar
import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from program.models import Session, Talk
from program.picks import MAX_PICKS, PickList, digest, encode_picks
from program.validators import RESERVED_CONFERENCE_SLUGS

API = "/picks/lists/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def browser_client():
    """A client that enforces CSRF, as a browser's fetch meets it."""
    client = Client(enforce_csrf_checks=True)
    client.csrf = client.get(API).json()["csrf_token"]
    return client


def post(client, url, data, method="post", edit=None):
    headers = {"X-CSRFToken": getattr(client, "csrf", "")}
    if edit is not None:
        headers["X-Picks-Edit"] = edit
    body = data if isinstance(data, str) else json.dumps(data)
    return getattr(client, method)(url, body, content_type="application/json", headers=headers)


def feed_events(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content
    calendar = icalendar.Calendar.from_ical(response.content)
    return calendar, {str(e["UID"]).split("@")[0]: e for e in calendar.walk("VEVENT")}


def test_create_edit_and_the_feed_url_stays(browser_client, opml20):
    session = Session.objects.get(conference=opml20, number=1)
    talk = Talk.objects.filter(session__number=3, session__conference=opml20).first()
    created = post(browser_client, API, {"items": [str(session.uid)]})
    assert created.status_code == 201
    data = created.json()
    feed_url = data["feed_url"]
    assert feed_url == f"/picks/{data['feed']}.ics"
    assert len(data["feed"]) == 32
    assert data["edit"] != data["feed"]
    # Only digests are stored, never the secrets.
    stored = PickList.objects.get()
    assert stored.feed_digest == digest(data["feed"])
    assert data["feed"] not in stored.feed_digest + stored.edit_digest

    calendar, events = feed_events(browser_client, feed_url)
    assert set(events) == {str(session.uid)}
    assert str(calendar["X-WR-CALNAME"]) == "My picks – OpML '20"

    updated = post(
        browser_client,
        f"{API}{data['feed']}/",
        {"items": [str(session.uid), str(talk.uid)]},
        method="put",
        edit=data["edit"],
    )
    assert updated.status_code == 200
    assert updated.json()["feed_url"] == feed_url
    _, events = feed_events(browser_client, feed_url)
    assert set(events) == {str(session.uid), str(talk.uid)}


def test_a_talk_in_a_picked_session_is_not_a_second_event(browser_client, opml20):
    session = Session.objects.get(conference=opml20, number=2)
    talk = session.talks.first()
    assert talk.start is None
    data = post(browser_client, API, {"items": [str(talk.uid), str(session.uid)]}).json()
    _, events = feed_events(browser_client, data["feed_url"])
    assert set(events) == {str(session.uid)}
    # Picked alone, the talk has its event at its session's times.
    data = post(browser_client, API, {"items": [str(talk.uid)]}).json()
    _, events = feed_events(browser_client, data["feed_url"])
    assert set(events) == {str(talk.uid)}


def test_editing_needs_the_edit_secret_and_csrf(browser_client, opml20):
    session = Session.objects.get(conference=opml20, number=1)
    data = post(browser_client, API, {"items": []}).json()
    url = f"{API}{data['feed']}/"
    items = {"items": [str(session.uid)]}
    assert post(browser_client, url, items, method="put").status_code == 403
    wrong = post(browser_client, url, items, method="put", edit=data["feed"])
    assert wrong.status_code == 403
    assert wrong.json()["field"] == "X-Picks-Edit"
    no_csrf = Client(enforce_csrf_checks=True)
    assert post(no_csrf, url, items, method="put", edit=data["edit"]).status_code == 403
    assert post(no_csrf, API, items).status_code == 403
    assert PickList.objects.get().items == []


def test_delete_revokes_the_feed(browser_client, opml20):
    data = post(browser_client, API, {"items": []}).json()
    url = f"{API}{data['feed']}/"
    assert browser_client.get(data["feed_url"]).status_code == 200
    assert post(browser_client, url, "", method="delete", edit="nope").status_code == 403
    assert post(browser_client, url, "", method="delete", edit=data["edit"]).status_code == 200
    assert not PickList.objects.exists()
    assert browser_client.get(data["feed_url"]).status_code == 404
    assert browser_client.get(data["page_url"]).status_code == 404


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("not json", "not JSON"),
        ("[]", "“items”"),
        ('{"items": "abc"}', "must be a list"),
        ('{"items": ["abc"]}', "not a UID"),
        ('{"items": [1]}', "not a UID"),
    ],
)
def test_bad_input_gets_a_400_naming_the_field(browser_client, db, body, message):
    response = post(browser_client, API, body)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert response.json()["field"] in {"items", "body"}


def test_a_list_holds_at_most_100(browser_client, db):
    uids = [f"00000000-0000-4000-8000-{n:012d}" for n in range(MAX_PICKS + 1)]
    response = post(browser_client, API, {"items": uids})
    assert response.status_code == 400
    assert response.json()["field"] == "items"
    assert post(browser_client, API, {"items": uids[:MAX_PICKS]}).status_code == 201


def test_creation_is_rate_limited_per_client_ip(browser_client, db, settings):
    settings.PICKS_CREATE_PER_HOUR = 3
    for _ in range(3):
        assert post(browser_client, API, {"items": []}).status_code == 201
    refused = post(browser_client, API, {"items": []})
    assert refused.status_code == 429
    assert "Too many" in refused.json()["error"]
    other = Client(enforce_csrf_checks=True, REMOTE_ADDR="192.0.2.7")
    other.csrf = other.get(API).json()["csrf_token"]
    assert post(other, API, {"items": []}).status_code == 201
    assert PickList.objects.count() == 4


def test_reading_the_feed_or_page_writes_nothing(
    browser_client, opml20, django_assert_max_num_queries
):
    session = Session.objects.get(conference=opml20, number=1)
    data = post(browser_client, API, {"items": [str(session.uid)]}).json()
    browser_client.get(data["feed_url"])  # the feed records its event revisions once
    before = PickList.objects.values().get()
    with django_assert_max_num_queries(36) as queries:  # three requests
        browser_client.get(data["feed_url"])
        browser_client.head(data["feed_url"])
        browser_client.get(data["page_url"])
    writes = [q["sql"] for q in queries.captured_queries if "pick" in q["sql"].lower()]
    assert not [sql for sql in writes if not sql.lstrip().upper().startswith("SELECT")]
    assert PickList.objects.values().get() == before


def test_expire_picks_keeps_lists_read_or_edited_recently(browser_client, opml20, settings):
    settings.PICKS_EXPIRE_DAYS = 30
    _old, read, fresh = (post(browser_client, API, {"items": []}).json() for _ in range(3))
    long_ago = timezone.now() - timedelta(days=31)
    PickList.objects.exclude(feed_digest=digest(fresh["feed"])).update(updated_at=long_ago)
    browser_client.get(read["feed_url"])  # a calendar still reads this one
    out = io.StringIO()
    call_command("expire_picks", stdout=out)
    assert out.getvalue().strip() == "Deleted 1 pick list unused for 30 days."
    remaining = set(PickList.objects.values_list("feed_digest", flat=True))
    assert remaining == {digest(read["feed"]), digest(fresh["feed"])}
    assert PickList.objects.get(feed_digest=digest(read["feed"])).last_read_at is not None


def test_the_picks_page_lists_the_items_from_the_server(browser_client, opml20):
    session = Session.objects.get(conference=opml20, number=4)
    talk = Talk.objects.filter(session__number=6, session__conference=opml20).first()
    data = post(browser_client, API, {"items": [str(talk.uid), str(session.uid)]}).json()
    html = browser_client.get(data["page_url"]).content.decode()
    assert html.index(str(session)) < html.index(talk.title)
    assert f'href="webcal://testserver{data["feed_url"]}"' in html
    assert "noindex" in html
    assert browser_client.get("/picks/").status_code == 200
    assert browser_client.get("/picks/" + "x" * 32 + "/").status_code == 404


def test_first_version_links_still_work_read_only(client, opml20):
    session = Session.objects.get(conference=opml20, number=5)
    url = reverse("feeds:picks", kwargs={"token": encode_picks([session.uid])})
    _, events = feed_events(client, url)
    assert set(events) == {str(session.uid)}
    assert client.get("/picks/" + "A" * 32 + ".ics").status_code == 404


def test_picks_is_reserved_for_the_site():
    assert "picks" in RESERVED_CONFERENCE_SLUGS


@pytest.mark.cache
def test_no_shared_cache_keeps_picks_answers(browser_client, db):
    assert "no-store" in browser_client.get(API)["Cache-Control"]
    data = post(browser_client, API, {"items": []})
    assert "no-store" in data["Cache-Control"]
    page = browser_client.get(data.json()["page_url"])
    assert "private" in page["Cache-Control"]
