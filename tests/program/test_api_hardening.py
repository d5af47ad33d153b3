"""The API under hostile parameters: every value is checked before it reaches the database, a bad
one answers 400 naming the parameter, and every answer (400, 404 included) is in the schema."""

import json

import jsonschema
import pytest
from openapi_core import OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse

pytestmark = pytest.mark.django_db


@pytest.fixture
def spec(client):
    return json.loads(client.get("/api/schema/", {"format": "json"}).content)


READS = {
    "/api/days/": {"conference", "page_size"},
    "/api/sessions/": {"conference", "speaker", "changed_since", "page_size"},
    "/api/talks/": {"conference", "speaker", "changed_since", "page_size"},
    "/api/speakers/": {"conference", "changed_since", "page_size"},
    "/api/organisations/": {"conference", "changed_since", "page_size"},
}


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("conference", "\x00"),
        ("conference", "opml20\x00"),
        ("conference", "x" * 500),
        ("conference", ""),
        ("conference", "a b"),
        ("speaker", "\x00"),
        ("speaker", "'; --"),
        ("changed_since", ""),
        ("changed_since", "\x00"),
        ("changed_since", "2020-07-28T16:00:00+24:00"),
        ("changed_since", "0001-01-01T00:00:00+01:00"),
        ("changed_since", "9999-12-31T23:59:59-01:00"),
        ("changed_since", "99999-01-01"),
        ("page_size", ""),
        ("page_size", "abc"),
        ("page_size", "-1"),
        ("page_size", "0"),
        ("page_size", "1e3"),
        ("page_size", "\x00"),
    ],
)
def test_a_bad_parameter_answers_400_naming_it(client, opml20, parameter, value):
    for url, reads in READS.items():
        response = client.get(url, {parameter: value})
        if parameter not in reads:
            assert response.status_code == 200, (url, response.content)
            continue
        assert response.status_code == 400, (url, response.content)
        assert list(response.json()) == [parameter]


@pytest.mark.parametrize(
    "value",
    [
        "2020-07-28T16:00:00+16:00",  # PostgreSQL refuses such offsets: converted here first
        "2020-07-28T16:00:00-23:59",
        "2020-07-28T16:00:00 16:00",  # a "+" not URL-encoded
        "0001-01-01",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z",
        "9999-12-31T23:59:59.999999+00:00",
    ],
)
def test_extreme_but_valid_times_are_read(client, opml20, value):
    response = client.get("/api/talks/", {"changed_since": value})
    assert response.status_code == 200, response.content
    expected = 0 if value.startswith("9999") else 25
    assert response.json()["count"] == expected


def test_an_offset_is_converted_before_the_query(client, opml20):
    """+16:00 is the same moment as 00:00Z; the filter compares instants."""
    later = client.get("/api/talks/", {"changed_since": "2999-01-02T16:00:00+16:00"})
    assert later.json()["count"] == 0
    earlier = client.get("/api/talks/", {"changed_since": "2000-01-02T16:00:00+16:00"})
    assert earlier.json()["count"] == 25


def test_page_size_above_the_cap_gives_the_cap(client, opml20):
    assert len(client.get("/api/talks/", {"page_size": "999999999"}).json()["results"]) == 25


@pytest.mark.parametrize(
    "url",
    [
        "/api/talks/?page=0",
        "/api/talks/?page=999",
        "/api/talks/?page=abc",
        "/api/talks/00000000-0000-0000-0000-000000000000/",
        "/api/speakers/nobody/",
        "/api/speakers/%00/",
        "/api/conferences/nope/",
        "/api/talks/?conference=%00",
        "/api/talks/?page_size=-1",
        "/api/talks/?changed_since=",
    ],
)
def test_every_error_is_declared_in_the_schema(client, opml20, spec, url):
    response = client.get(url)
    assert response.status_code in (400, 404), url
    path = response.wsgi_request.path
    if path.count("/") == 4:  # /api/<endpoint>/<id>/
        path = path.rsplit("/", 2)[0] + "/{id}/"
    declared = spec["paths"][path]["get"]["responses"]
    assert str(response.status_code) in declared
    OpenAPI.from_dict(spec).validate_response(
        DjangoOpenAPIRequest(response.wsgi_request), DjangoOpenAPIResponse(response)
    )


def test_every_operation_declares_its_statuses(spec):
    for path, item in spec["paths"].items():
        statuses = set(item["get"]["responses"])
        assert {"200", "304", "404"} <= statuses, path
        if not path.endswith("{id}/"):
            assert "400" in statuses, path


def test_url_or_empty_is_any_of_so_empty_matches(spec):
    """oneOf [uri, maxLength 0] rejects "" (it matches both); generated clients then fail."""
    text = json.dumps(spec)
    assert '"oneOf"' not in text
    conference = spec["components"]["schemas"]["Conference"]
    field = conference["properties"]["default_location_url"]
    for value in ("", "https://example.org/opml20"):
        jsonschema.validate(value, field)
    for name in ("Session", "Talk"):
        properties = spec["components"]["schemas"][name]["properties"]
        assert all("oneOf" not in field for field in properties.values())


def test_the_schema_says_what_filters_accept(spec):
    parameters = {p["name"]: p for p in spec["paths"]["/api/talks/"]["get"]["parameters"]}
    assert parameters["page_size"]["schema"]["minimum"] == 1
    assert parameters["page"]["schema"]["minimum"] == 1
    assert parameters["changed_since"]["schema"]["minLength"] == 1
    assert "400" in parameters["conference"]["description"]


@pytest.mark.parametrize(
    "version",
    ["1\"; filename*=UTF-8''evil.html", "\x00", "\u2028", "a\r\nSet-Cookie: x=1", "ü"],
)
def test_the_schema_ignores_version_and_quotes_its_file_name(client, version):
    response = client.get("/api/schema/", {"format": "json", "version": version})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'inline; filename="OpML program API.json"'
    assert "Set-Cookie" not in response


def test_downloads_name_their_file_through_djangos_helper(client, opml20):
    calendar = client.get(opml20.get_calendar_url())
    assert calendar["Content-Disposition"] == 'attachment; filename="opml20.ics"'
    frab = client.get("/opml20/schedule.xml")
    assert frab["Content-Disposition"] == 'inline; filename="opml20-schedule.xml"'
