"""The JSON API (docs/integrators/api.md): its schema, what it says, what it hides, and how it
behaves over HTTP."""

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone
from openapi_core import OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse
from openapi_core.validation.response.exceptions import InvalidData
from openapi_spec_validator import validate

from program.api import parse_changed_since
from program.models import Conference, Session, Talk
from speakers.models import Affiliation, Speaker
from tests.factories import (
    AffiliationFactory,
    AuthorshipFactory,
    ConferenceFactory,
    SessionFactory,
    SpeakerFactory,
    TalkFactory,
)

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
ENDPOINTS = ["conferences", "days", "sessions", "talks", "speakers", "organisations"]
UNSAFE = ["post", "put", "patch", "delete"]


def get_json(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


def everything(client, endpoint, **params):
    """Every object of a list endpoint, following its pages."""
    page = get_json(client, f"/api/{endpoint}/", **{"page_size": 500, **params})
    results = page["results"]
    while page["next"]:
        page = get_json(client, page["next"])
        results += page["results"]
    return results


def ids(client, endpoint, **params):
    return {item["id"] for item in everything(client, endpoint, **params)}


@pytest.fixture
def spec(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


# The schema, and responses that match it


def test_the_schema_is_valid_openapi_3(spec):
    validate(spec)
    assert spec["openapi"].startswith("3.")
    assert {f"/api/{endpoint}/" for endpoint in ENDPOINTS} <= spec["paths"].keys()
    assert {f"/api/{endpoint}/{{id}}/" for endpoint in ENDPOINTS} <= spec["paths"].keys()


def test_the_schema_is_served_as_yaml_by_default(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    assert response.content.startswith(b"openapi: 3.")


def test_the_schema_documents_every_filter(spec):
    def parameters(path):
        return {p["name"] for p in spec["paths"][path]["get"]["parameters"]}

    assert parameters("/api/talks/") == {
        "conference",
        "speaker",
        "changed_since",
        "page",
        "page_size",
    }
    assert parameters("/api/sessions/") == parameters("/api/talks/")
    assert {"conference", "changed_since"} <= parameters("/api/speakers/")
    assert {"conference", "changed_since"} <= parameters("/api/organisations/")
    assert "conference" in parameters("/api/days/")


def test_every_endpoint_answers_as_its_schema_says(client, opml20, spec):
    openapi = OpenAPI.from_dict(spec)
    talk = Talk.objects.first()
    speaker = talk.authorships.first().speaker
    urls = [f"/api/{endpoint}/" for endpoint in ENDPOINTS] + [
        "/api/conferences/opml20/",
        "/api/days/opml20-2020-07-28/",
        f"/api/sessions/{talk.session.uid}/",
        f"/api/talks/{talk.uid}/",
        f"/api/speakers/{speaker.slug}/",
        f"/api/organisations/{speaker.affiliation.slug}/",
        f"/api/talks/?conference=opml20&speaker={speaker.slug}&page_size=2&page=1",
        f"/api/sessions/?speaker={speaker.slug}",
        "/api/speakers/?conference=opml20&changed_since=2020-01-01T00:00:00Z",
        "/api/organisations/?conference=opml20",
        "/api/days/?conference=opml20",
        "/api/talks/?changed_since=yesterday",  # the 400 answer is in the schema too
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 400), url
        openapi.validate_response(
            DjangoOpenAPIRequest(response.wsgi_request), DjangoOpenAPIResponse(response)
        )


def test_a_response_that_breaks_the_schema_is_caught(client, opml20, spec):
    """The check above can fail: a talk without its title does not pass."""
    openapi = OpenAPI.from_dict(spec)
    response = client.get(f"/api/talks/{Talk.objects.first().uid}/")
    data = response.json()
    del data["title"]
    response.content = json.dumps(data).encode()
    with pytest.raises(InvalidData):
        openapi.validate_response(
            DjangoOpenAPIRequest(response.wsgi_request), DjangoOpenAPIResponse(response)
        )


def test_the_index_lists_every_endpoint(client):
    index = get_json(client, "/api/")
    assert index == {endpoint: f"http://testserver/api/{endpoint}/" for endpoint in ENDPOINTS}


# What it says: every word of OpML '20, stable ids, absolute links


def fixture_objects(model):
    """{pk: fields} of one model in fixtures/opml20.json, read independently of the ORM."""
    data = json.loads((ROOT / "fixtures" / "opml20.json").read_text(encoding="utf-8"))
    return {item["pk"]: item["fields"] for item in data if item["model"] == model}


def test_every_text_of_the_opml20_fixture_comes_out_unchanged(client, opml20):
    conferences = fixture_objects("program.conference")
    sessions = fixture_objects("program.session")
    talks = fixture_objects("program.talk")
    speakers = fixture_objects("speakers.speaker")
    affiliations = fixture_objects("speakers.affiliation")

    (conference,) = conferences.values()
    api_conference = get_json(client, "/api/conferences/opml20/")
    for field in ["name", "intro", "time_zone_note", "time_zone"]:
        assert api_conference[field] == conference[field]

    api_sessions = {s["id"]: s for s in everything(client, "sessions")}
    assert len(api_sessions) == len(sessions) == 8
    for session in sessions.values():
        api_session = api_sessions[session["uid"]]
        for field in ["number", "title", "description", "slack_url"]:
            assert api_session[field] == session[field]

    api_talks = {t["id"]: t for t in everything(client, "talks")}
    assert len(api_talks) == len(talks) == 25
    for talk in talks.values():
        api_talk = api_talks[talk["uid"]]
        for field in ["title", "slug", "abstract", "has_media", "media_url"]:
            assert api_talk[field] == talk[field]

    api_speakers = {s["id"]: s for s in everything(client, "speakers")}
    assert len(api_speakers) == len(speakers)
    for speaker in speakers.values():
        assert api_speakers[speaker["slug"]]["name"] == speaker["name"]
        assert api_speakers[speaker["slug"]]["bio"] == speaker["bio"]

    api_organisations = {o["id"]: o["name"] for o in everything(client, "organisations")}
    assert api_organisations == {a["slug"]: a["name"] for a in affiliations.values()}


SEED_TIME_RE = re.compile(r"^\d{1,2}:\d{2} [ap]m–\d{1,2}:\d{2} [ap]m$")


def test_every_paragraph_of_the_seed_is_in_the_api(client, opml20, seed_text):
    """The published program, paragraph by paragraph, from the API's data alone: headings are
    rebuilt from its fields (a day's date, "Session N: title", a bio's "Name, Organisation")."""
    conference = get_json(client, "/api/conferences/opml20/")
    texts = [conference["program_title"], conference["intro"], conference["time_zone_note"]]
    for day in everything(client, "days", conference="opml20"):
        date = timezone.datetime.fromisoformat(day["date"])
        texts.append(f"{date:%A, %B} {date.day}")
    for session in everything(client, "sessions", conference="opml20"):
        texts += [
            f"Session {session['number']}: {session['title']}",
            session["description"],
            session["slack_invitation"],
        ]
    for talk in everything(client, "talks", conference="opml20"):
        texts += [talk["title"], talk["byline"], talk["abstract"]]
        texts += ["Available Media"] if talk["has_media"] else []
    for speaker in everything(client, "speakers", conference="opml20"):
        if speaker["bio"]:
            organisation = speaker["organisation"]
            texts.append(f"{speaker['name']}, {organisation['name']}" if organisation else "")
            texts.append(speaker["bio"])
    api_paragraphs = {" ".join(p.split()) for text in texts for p in text.split("\n\n")}
    seed = [" ".join(p.split()) for p in seed_text.split("\n\n") if p.strip()]
    missing = [p for p in seed if not SEED_TIME_RE.match(p) and p not in api_paragraphs]
    assert missing == []


def test_bylines_and_authors_are_as_printed(client, opml20):
    talk = get_json(client, f"/api/talks/{Talk.objects.get(slug__startswith='dlspec').uid}/")
    assert talk["byline"] == (
        "Abdul Dakkak and Cheng Li, University of Illinois at Urbana-Champaign; "
        "Jinjun Xiong, IBM; Wen-mei Hwu, University of Illinois at Urbana-Champaign"
    )
    assert [author["name"] for author in talk["authors"]] == [
        "Abdul Dakkak",
        "Cheng Li",
        "Jinjun Xiong",
        "Wen-mei Hwu",
    ]
    assert talk["authors"][2]["organisation"] == {
        "id": "ibm",
        "name": "IBM",
        "url": "http://testserver/affiliations/ibm/",
    }


def test_a_credited_name_is_printed_in_the_byline_and_the_speaker_keeps_theirs(client, opml20):
    arov = Speaker.objects.get(name="Mikhail Arov")
    (talk_id,) = get_json(client, f"/api/speakers/{arov.slug}/")["talks"]
    talk = get_json(client, f"/api/talks/{talk_id}/")
    assert "Mike Arov" in talk["byline"]
    assert {"speaker": arov.slug, "name": "Mike Arov"}.items() <= next(
        author for author in talk["authors"] if author["speaker"] == arov.slug
    ).items()


def test_ids_are_the_calendar_uids_and_slugs_and_links_are_absolute(client, opml20):
    session = Session.objects.get(conference=opml20, number=1)
    data = get_json(client, f"/api/sessions/{session.uid}/")
    assert data["id"] == str(session.uid)
    assert data["conference"] == "opml20"
    assert data["day"] == "opml20-2020-07-28"
    assert data["start"] == "2020-07-28T16:00:00Z"  # 9:00 PDT
    assert data["url"] == "http://testserver/opml20/sessions/1/"
    assert data["calendar_url"] == "http://testserver/opml20/sessions/1/calendar.ics"
    assert data["talks"] == [str(talk.uid) for talk in session.talks.order_by("order")]
    talk = get_json(client, f"/api/talks/{data['talks'][0]}/")
    assert talk["session"] == str(session.uid)
    assert talk["url"] == f"http://testserver/opml20/talks/{talk['slug']}/"
    day = get_json(client, "/api/days/opml20-2020-07-28/")
    assert day["sessions"] == [str(session.uid)]
    assert day["url"] == "http://testserver/opml20/#day-2020-07-28"


def test_locations_are_given_as_entered(client, opml20):
    opml20.default_location_name = "Online"
    opml20.default_location_url = "https://example.org/opml20"
    opml20.save()
    session = Session.objects.get(conference=opml20, number=2)
    session.location_name = "Room A"
    session.save()
    conference = get_json(client, "/api/conferences/opml20/")
    assert conference["default_location_name"] == "Online"
    assert conference["default_location_url"] == "https://example.org/opml20"
    sessions = {s["number"]: s for s in everything(client, "sessions", conference="opml20")}
    assert (sessions[2]["location_name"], sessions[2]["location_url"]) == ("Room A", "")
    assert sessions[1]["location_name"] == ""  # the conference's default applies


@pytest.mark.parametrize(
    "url",
    [
        "/api/conferences/nope/",
        "/api/days/opml20-2020-07-27/",
        "/api/days/nope-2020-07-28/",
        "/api/days/opml20-2020-02-30/",
        "/api/sessions/not-a-uuid/",
        "/api/sessions/00000000-0000-0000-0000-000000000000/",
        "/api/talks/not-a-uuid/",
        "/api/speakers/nobody/",
        "/api/organisations/nowhere/",
    ],
)
def test_unknown_ids_answer_404_in_json(client, opml20, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "detail" in response.json()


# Drafts never appear


@pytest.fixture
def drafts(opml20):
    """A draft talk in a published session, a draft session with a published talk, and a draft
    conference with a published session and talk, each with people of its own."""
    published_session = Session.objects.get(conference=opml20, number=1)
    draft_talk = TalkFactory(session=published_session, is_published=False)
    draft_session = SessionFactory(
        conference=opml20, day=published_session.day, number=99, is_published=False
    )
    talk_in_draft_session = TalkFactory(session=draft_session)
    draft_conference = ConferenceFactory(slug="draftconf", is_published=False)
    talk_in_draft_conference = TalkFactory(session__day__conference=draft_conference)
    hidden_people = []
    for talk in [draft_talk, talk_in_draft_session, talk_in_draft_conference]:
        hidden_people.append(AuthorshipFactory(talk=talk).speaker)
    return {
        "talks": {
            str(t.uid) for t in [draft_talk, talk_in_draft_session, talk_in_draft_conference]
        },
        "sessions": {str(draft_session.uid), str(talk_in_draft_conference.session.uid)},
        "conference": draft_conference,
        "speakers": {speaker.slug for speaker in hidden_people},
        "organisations": {speaker.affiliation.slug for speaker in hidden_people},
    }


@pytest.mark.parametrize("as_staff", [False, True], ids=["anonymous", "committee member"])
def test_drafts_never_appear(client, member_client, drafts, as_staff):
    """Not even to a logged-in committee member: the API is the public view."""
    client = member_client if as_staff else client
    assert ids(client, "conferences") == {"opml20"}
    assert not any(day.startswith("draftconf") for day in ids(client, "days"))
    assert not drafts["sessions"] & ids(client, "sessions")
    assert not drafts["talks"] & ids(client, "talks")
    assert not drafts["speakers"] & ids(client, "speakers")
    assert not drafts["organisations"] & ids(client, "organisations")
    listed_talks = {t for s in everything(client, "sessions") for t in s["talks"]}
    listed_talks |= {t for s in everything(client, "speakers") for t in s["talks"]}
    assert not drafts["talks"] & listed_talks
    listed_sessions = {s for d in everything(client, "days") for s in d["sessions"]}
    assert not drafts["sessions"] & listed_sessions
    hidden = [f"/api/talks/{uid}/" for uid in drafts["talks"]]
    hidden += [f"/api/sessions/{uid}/" for uid in drafts["sessions"]]
    hidden += [f"/api/speakers/{slug}/" for slug in drafts["speakers"]]
    hidden += [f"/api/organisations/{slug}/" for slug in drafts["organisations"]]
    hidden += ["/api/conferences/draftconf/", f"/api/days/draftconf-{drafts_day(drafts)}/"]
    assert {url: client.get(url).status_code for url in hidden} == dict.fromkeys(hidden, 404)


def drafts_day(drafts):
    return drafts["conference"].days.get().date.isoformat()


def test_a_speaker_with_a_draft_talk_lists_only_the_published_one(client, opml20):
    talk = Talk.objects.filter(session__conference=opml20).first()
    speaker = talk.authorships.first().speaker
    draft = TalkFactory(session=talk.session, is_published=False)
    AuthorshipFactory(talk=draft, speaker=speaker)
    assert str(draft.uid) not in get_json(client, f"/api/speakers/{speaker.slug}/")["talks"]
    assert str(draft.uid) not in ids(client, "talks", speaker=speaker.slug)


# Filters


def test_filter_by_conference(client, opml20):
    other = TalkFactory(session__day__conference__slug="other")
    author = AuthorshipFactory(talk=other)
    assert len(ids(client, "talks", conference="opml20")) == 25
    assert ids(client, "talks", conference="other") == {str(other.uid)}
    assert ids(client, "sessions", conference="other") == {str(other.session.uid)}
    assert ids(client, "days", conference="other") == {f"other-{other.session.day.date}"}
    assert ids(client, "speakers", conference="other") == {author.speaker.slug}
    assert ids(client, "organisations", conference="other") == {author.affiliation.slug}
    assert author.speaker.slug not in ids(client, "speakers", conference="opml20")
    assert ids(client, "talks", conference="nope") == set()


def test_filter_by_speaker(client, opml20):
    arov = Speaker.objects.get(name="Mikhail Arov")
    talks = ids(client, "talks", speaker=arov.slug)
    assert talks == {str(t.uid) for t in Talk.objects.filter(authorships__speaker=arov)}
    assert len(talks) == 1
    sessions = ids(client, "sessions", speaker=arov.slug)
    assert sessions == {str(Talk.objects.get(uid=next(iter(talks))).session.uid)}
    assert ids(client, "talks", speaker="nobody") == set()


def test_filter_by_speaker_and_conference_combine(client, opml20):
    speaker = SpeakerFactory()
    session = Session.objects.get(conference=opml20, number=1)
    here = AuthorshipFactory(speaker=speaker, talk__session=session)
    elsewhere = AuthorshipFactory(speaker=speaker)
    assert ids(client, "talks", speaker=speaker.slug) == {
        str(here.talk.uid),
        str(elsewhere.talk.uid),
    }
    assert ids(client, "talks", speaker=speaker.slug, conference="opml20") == {str(here.talk.uid)}


def test_filter_changed_since(client, opml20):
    now = timezone.now()
    Talk.objects.update(updated_at=now - timedelta(days=10))
    Speaker.objects.update(updated_at=now - timedelta(days=10))
    Affiliation.objects.update(updated_at=now - timedelta(days=10))
    talk = Talk.objects.first()
    talk.title = "Retitled"
    talk.save()
    speaker = Speaker.objects.first()
    speaker.save()
    organisation = AffiliationFactory()
    AuthorshipFactory(talk=talk, affiliation=organisation, speaker__affiliation=organisation)
    since = (now - timedelta(minutes=1)).isoformat().replace("+00:00", "Z")
    assert ids(client, "talks", changed_since=since) == {str(talk.uid)}
    assert speaker.slug in ids(client, "speakers", changed_since=since)
    assert organisation.slug in ids(client, "organisations", changed_since=since)
    assert len(ids(client, "organisations", changed_since=since)) == 1
    assert len(ids(client, "talks", changed_since=(now - timedelta(days=11)).date())) == 25
    assert ids(client, "conferences", changed_since="2999-01-01") == set()
    assert ids(client, "sessions", changed_since="2999-01-01T00:00:00+02:00") == set()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2020-07-28T16:00:00Z", "2020-07-28T16:00:00+00:00"),
        ("2020-07-28T09:00:00-07:00", "2020-07-28T16:00:00+00:00"),  # converted to UTC
        ("2020-07-28T09:00:00 07:00", "2020-07-28T02:00:00+00:00"),  # a "+" not URL-encoded
        ("2020-07-28T16:00:00", "2020-07-28T16:00:00+00:00"),  # no offset: UTC
        ("2020-07-28", "2020-07-28T00:00:00+00:00"),
    ],
)
def test_changed_since_reads_iso_8601(value, expected):
    assert parse_changed_since(value).isoformat() == expected


@pytest.mark.parametrize("value", ["yesterday", "2020-13-01T00:00:00Z", "2020-02-30", "12345"])
@pytest.mark.parametrize("endpoint", ["conferences", "sessions", "talks", "speakers"])
def test_a_bad_changed_since_answers_400_naming_the_parameter(client, opml20, endpoint, value):
    response = client.get(f"/api/{endpoint}/", {"changed_since": value})
    assert response.status_code == 400
    (message,) = response.json()["changed_since"]
    assert value in message
    assert "ISO 8601" in message


# Pagination


def test_pages_are_numbered_with_a_count_and_links(client, opml20):
    first = get_json(client, "/api/talks/", page_size=10)
    assert first["count"] == 25
    assert len(first["results"]) == 10
    assert first["previous"] is None
    assert first["next"] == "http://testserver/api/talks/?page=2&page_size=10"
    third = get_json(client, "/api/talks/", page_size=10, page=3)
    assert len(third["results"]) == 5
    assert third["next"] is None
    assert third["previous"] == "http://testserver/api/talks/?page=2&page_size=10"
    all_ids = [t["id"] for t in everything(client, "talks", page_size=10)]
    assert len(all_ids) == len(set(all_ids)) == 25


def test_pages_are_in_program_order_and_default_to_100(client, opml20):
    page = get_json(client, "/api/talks/")
    assert page["count"] == 25
    assert page["next"] is None
    ordered = Talk.objects.published().order_by("session__start", "order", "pk")
    assert [t["id"] for t in page["results"]] == [str(t.uid) for t in ordered]


def test_page_size_is_capped_and_a_page_past_the_end_is_404(client, large_program):
    assert len(get_json(client, "/api/talks/", page_size=10_000)["results"]) == 500
    assert client.get("/api/talks/", {"page": 999}).status_code == 404


# HTTP: conditional requests, CORS, read-only


@pytest.mark.parametrize(
    "url",
    [
        "/api/talks/",
        "/api/conferences/opml20/",
        "/api/schema/",
        "/api/speakers/?page=2&page_size=10",
    ],
)
def test_etag_and_304(client, opml20, url):
    response = client.get(url)
    etag = response["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
    assert client.get(url)["ETag"] == etag  # the same answer, the same tag
    not_modified = client.get(url, headers={"if-none-match": etag})
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified["ETag"] == etag
    assert client.head(url, headers={"if-none-match": etag}).status_code == 304
    assert client.get(url, headers={"if-none-match": '"other"'}).status_code == 200


def test_an_edit_changes_the_etag(client, opml20):
    talk = Talk.objects.first()
    url = f"/api/talks/{talk.uid}/"
    etag = client.get(url)["ETag"]
    talk.abstract += " Updated."
    talk.save()
    response = client.get(url, headers={"if-none-match": etag})
    assert response.status_code == 200
    assert response["ETag"] != etag


def test_cors_lets_any_origin_read_without_credentials(client, opml20):
    response = client.get("/api/talks/", headers={"origin": "https://app.example.com"})
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    assert "ETag" in response["Access-Control-Expose-Headers"]
    not_modified = client.get(
        "/api/talks/",
        headers={"origin": "https://app.example.com", "if-none-match": response["ETag"]},
    )
    assert not_modified.status_code == 304
    assert not_modified["Access-Control-Allow-Origin"] == "*"


def test_cors_preflight(client):
    response = client.options(
        "/api/talks/",
        headers={
            "origin": "https://app.example.com",
            "access-control-request-method": "GET",
            "access-control-request-headers": "if-none-match",
        },
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert set(response["Access-Control-Allow-Methods"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert "if-none-match" in response["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in response


def test_cors_is_for_the_api_only(client, opml20):
    response = client.get("/opml20/", headers={"origin": "https://app.example.com"})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.parametrize("method", UNSAFE)
@pytest.mark.parametrize(
    "url", ["/api/talks/", "/api/conferences/opml20/", "/api/schema/", "/api/docs/", "/api/"]
)
def test_writes_answer_405_with_allow(client, member_client, opml20, method, url):
    for each in (client, member_client):
        response = getattr(each, method)(url, data="{}", content_type="application/json")
        assert response.status_code == 405
        assert set(response["Allow"].split(", ")) <= {"GET", "HEAD", "OPTIONS"}
        assert "GET" in response["Allow"]
    assert Conference.objects.count() == 1


# The doc page


def test_the_doc_page_loads_swagger_ui_from_this_site_without_inline_code(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-schema-url="/api/schema/?format=json"' in html
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert sources
    for source in sources:
        assert source.startswith("/static/"), source
        assert finders.find(source.removeprefix("/static/")), source
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert "<style" not in html
    assert " style=" not in html
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers either


def test_the_doc_script_never_calls_the_public_validator():
    script = (ROOT / "static" / "api" / "docs.js").read_text(encoding="utf-8")
    assert "validatorUrl: null" in script


# Speed: a fixed number of queries, whatever the size of the program


# On a cache miss; each bound counts the public cache's look-up of the site's version too.
QUERY_BOUNDS = {
    "/api/conferences/": 4,
    "/api/conferences/{conference}/": 3,
    "/api/days/?conference={conference}": 4,
    "/api/days/{day}/": 3,
    "/api/sessions/": 4,
    "/api/sessions/?conference={conference}&speaker={speaker}": 4,
    "/api/sessions/{session}/": 3,
    # Talks: and when the first withdrawn talk leaves the list (the cache entry's end).
    "/api/talks/": 5,
    "/api/talks/?conference={conference}&changed_since=2000-01-01": 5,
    "/api/talks/{talk}/": 4,
    "/api/speakers/": 5,
    "/api/speakers/?conference={conference}": 5,
    "/api/speakers/{speaker}/": 4,
    "/api/organisations/": 3,
    "/api/organisations/?conference={conference}": 3,
    "/api/organisations/{organisation}/": 2,
}


@pytest.mark.parametrize("program", ["opml20", "large_program"])
@pytest.mark.parametrize(("url", "bound"), QUERY_BOUNDS.items())
def test_queries_are_constant_on_two_sizes(
    request, client, django_assert_max_num_queries, program, url, bound
):
    conference = request.getfixturevalue(program)
    talk = Talk.objects.filter(session__conference=conference).order_by("pk").last()
    speaker = talk.authorships.first().speaker
    url = url.format(
        conference=conference.slug,
        day=f"{conference.slug}-{talk.session.day.date}",
        session=talk.session.uid,
        talk=talk.uid,
        speaker=speaker.slug,
        organisation=speaker.affiliation.slug,
    )
    with django_assert_max_num_queries(bound):
        response = client.get(url)
    assert response.status_code == 200
    if "results" in response.json():
        assert response.json()["results"]
