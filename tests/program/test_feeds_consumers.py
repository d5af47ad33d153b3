"""The calendar feeds read by independent consumers, not only by our own Python parsers:
node-ical, npm's ical and ical.js under Node (tests/consumers/ical-node, installed with `npm ci`
by `make consumers`, or here on first use), and libical (C, the library of Evolution and many
servers), validated through ctypes with its RFC 5545 restriction checker."""

import ctypes
import ctypes.util
import fcntl
import json
import subprocess
from pathlib import Path

import icalendar
import pytest
from django.conf import settings
from django.urls import reverse

from program import revisions
from program.models import Session, Talk
from tests import tools
from tests.factories import SessionFactory, TalkFactory

NODE_DIR = Path(__file__).resolve().parent.parent / "consumers" / "ical-node"


@pytest.fixture(scope="session")
def node_reader():
    """A function reading an .ics file with the three JavaScript parsers."""
    node = tools.which("node", "Node.js is not installed (Debian: apt-get install nodejs npm)")
    if not (NODE_DIR / "node_modules").is_dir():
        npm = tools.which(
            "npm", "npm is not installed, so node-ical and ical.js cannot be (Debian: npm)"
        )
        # One worker at a time: two `npm ci` in one folder would undo each other's work.
        with (NODE_DIR / "package-lock.json").open() as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not (NODE_DIR / "node_modules").is_dir():
                subprocess.run(
                    [npm, "ci", "--no-audit", "--no-fund", "--silent"], cwd=NODE_DIR, check=True
                )

    def read(path):
        result = subprocess.run(
            [node, str(NODE_DIR / "read_calendar.cjs"), str(path)],
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(result.stdout)

    return read


@pytest.fixture(scope="session")
def libical():
    """libical 3 through ctypes (Debian's libical3; python3-libical left Debian long ago)."""
    name = ctypes.util.find_library("ical")
    tools.require(name is not None, "libical is not installed (Debian: apt-get install libical3)")
    lib = ctypes.CDLL(name)
    lib.icalparser_parse_string.restype = ctypes.c_void_p
    lib.icalparser_parse_string.argtypes = [ctypes.c_char_p]
    lib.icalrestriction_check.argtypes = [ctypes.c_void_p]
    lib.icalcomponent_count_errors.argtypes = [ctypes.c_void_p]
    lib.icalcomponent_as_ical_string.argtypes = [ctypes.c_void_p]
    lib.icalcomponent_as_ical_string.restype = ctypes.c_char_p
    lib.icalcomponent_free.argtypes = [ctypes.c_void_p]

    def check(raw):
        """The X-LIC-ERROR lines libical adds when parsing and checking RFC 5545's (and, with
        a METHOD, RFC 5546's) rules on which properties a component must and may have."""
        component = lib.icalparser_parse_string(raw)
        assert component, "libical could not parse the feed"
        try:
            lib.icalrestriction_check(component)
            text = lib.icalcomponent_as_ical_string(component).decode()
        finally:
            lib.icalcomponent_free(component)
        return [line for line in text.replace("\r\n ", "").split("\r\n") if "X-LIC-ERROR" in line]

    return check


def feeds_to_read(opml20):
    """The OpML '20 conference feed, one with a Slack URL, a timed talk, text carrying control
    characters that bypassed the forms (QuerySet.update), and a cancelled session."""
    session = SessionFactory(slack_url="https://example.org/slack/s1", slack_label='Chat, "here"')
    TalkFactory(session=session, start=session.start, end=session.end)
    Session.objects.filter(pk=session.pk).update(
        title="Bell\x07 and escape\x1b and delete\x7f", description="Tab\there\x0bthere"
    )
    revisions.objects_changed([Session.objects.get(pk=session.pk)])
    withdrawn = Session.objects.get(conference=opml20, number=4)
    withdrawn.is_published = False
    withdrawn.save()
    talk = Talk.objects.filter(session__conference=opml20).first()
    return [
        reverse("feeds:conference", kwargs={"slug": opml20.slug}),
        reverse("feeds:conference", kwargs={"slug": session.conference.slug}),
        reverse("feeds:talk", kwargs={"conference_slug": opml20.slug, "slug": talk.slug}),
    ]


def test_javascript_parsers_read_what_icalendar_reads(client, opml20, node_reader, tmp_path):
    seen = []
    for number, url in enumerate(feeds_to_read(opml20)):
        raw = client.get(url).content
        path = tmp_path / f"{number}.ics"
        path.write_bytes(raw)
        calendar = icalendar.Calendar.from_ical(raw)
        expected = {
            str(event["UID"]): {
                "uid": str(event["UID"]),
                "summary": str(event["SUMMARY"]),
                "description": str(event["DESCRIPTION"]),
                "location": str(event["LOCATION"]),
                "url": str(event["URL"]),
                "start": event.decoded("DTSTART").isoformat().replace("+00:00", ".000Z"),
                "end": event.decoded("DTEND").isoformat().replace("+00:00", ".000Z"),
                "sequence": str(event["SEQUENCE"]),
                "status": str(event["STATUS"]),
            }
            for event in calendar.walk("VEVENT")
        }
        assert expected
        seen += expected.values()
        read = node_reader(path)
        for parser in ("node-ical", "ical"):
            # Every value a plain string: no parser made an object of URL or anything else.
            assert {e["uid"]: e for e in read[parser]} == expected, parser
        ical_js = {e["uid"]: e for e in read["ical.js"]["events"]}
        assert ical_js.keys() == expected.keys()
        for uid, event in ical_js.items():
            conference = event.pop("conference")
            assert event == expected[uid]
            assert conference in (None, "https://example.org/slack/s1")
        text = json.dumps(read, ensure_ascii=False)
        for char in "\x07\x1b\x7f\x0b":
            assert json.dumps(char) not in text
    assert any(e["summary"].endswith(": Bell and escape and delete") for e in seen)
    assert any(e["description"].startswith("Tab\there") for e in seen)
    assert any(e["status"] == "CANCELLED" for e in seen)


def test_libical_finds_nothing_to_complain_about(client, opml20, libical):
    for url in feeds_to_read(opml20):
        raw = client.get(url).content
        assert libical(raw) == [], url


def test_libical_refuses_method_publish_without_an_organizer(client, opml20, libical):
    """Why the feeds carry no METHOD: RFC 5546 makes PUBLISH an iTIP message that needs an
    ORGANIZER, which a program has none of (docs/integrators/calendar-clients.md)."""
    raw = client.get(reverse("feeds:conference", kwargs={"slug": opml20.slug})).content
    published = raw.replace(b"CALSCALE:GREGORIAN\r\n", b"CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\n")
    errors = libical(published)
    assert errors
    assert all("INVALID-ITIP" in error for error in errors)
    assert f"@{settings.SITE_DOMAIN}".encode() in raw
