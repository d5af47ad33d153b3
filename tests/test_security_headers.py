"""Content-Security-Policy and Permissions-Policy on every kind of response, and markup that
needs nothing looser: no inline script (JSON-LD data blocks aside), no inline style, no
event-handler attributes, on the public pages and the admin's."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from program.models import Conference, Session, Talk
from speakers.models import Affiliation, Speaker
from tests.factories import ConferenceFactory

pytestmark = pytest.mark.django_db

POLICY = {
    "default-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def parse_policy(header):
    directives = {}
    for directive in header.split(";"):
        name, *values = directive.split()
        directives[name] = values
    return directives


def public_pages(opml20):
    talk = Talk.objects.get(title__startswith="SPOK")
    session = Session.objects.get(conference=opml20, number=3)
    return {
        "home": reverse("program:home"),
        "program": opml20.get_absolute_url(),
        "session": session.get_absolute_url(),
        "talk": talk.get_absolute_url(),
        "speaker": Speaker.objects.get(slug="mikhail-arov").get_absolute_url(),
        "affiliation": Affiliation.objects.get(name="Google").get_absolute_url(),
        "search": reverse("program:search") + "?q=Intuit",
        "sitemap": reverse("sitemap"),
        "conference feed": opml20.get_calendar_url(),
        "talk feed": talk.get_calendar_url(),
        "not found": "/no-such-page/",
        "admin login": reverse("admin:login"),
    }


class InlineCode(HTMLParser):
    """Collects what a strict policy would block: inline scripts (with their nonce), style
    elements and attributes, and on… handler attributes."""

    def __init__(self):
        super().__init__()
        self.inline_scripts, self.blocked = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and "src" not in attrs:
            self.inline_scripts.append((attrs.get("type"), attrs.get("nonce")))
        if tag == "style":
            self.blocked.append("<style>")
        for name in attrs:
            if name == "style" or re.fullmatch(r"on[a-z]+", name):
                self.blocked.append(f"<{tag} {name}=…>")
        if tag == "a" and (attrs.get("href") or "").lower().startswith("javascript:"):
            self.blocked.append("javascript: link")


def check_markup(response):
    """Assert the page runs under the policy: no inline code but JSON-LD data; returns the
    inline scripts as (type, nonce)."""
    parser = InlineCode()
    parser.feed(response.text)
    assert parser.blocked == [], response.wsgi_request.path
    for kind, _nonce in parser.inline_scripts:
        assert kind == "application/ld+json", response.wsgi_request.path  # data, never run
    return parser.inline_scripts


def test_every_public_response_carries_both_policies(client, opml20):
    ConferenceFactory(name="OpML '21")  # so that / lists conferences instead of redirecting
    for name, url in public_pages(opml20).items():
        response = client.get(url)
        assert response.status_code in {200, 404}, name
        policy = parse_policy(response["Content-Security-Policy"])
        assert {key: policy[key] for key in POLICY} == POLICY, name
        assert policy["script-src"][0] == "'self'", name
        assert "'unsafe-inline'" not in response["Content-Security-Policy"], name
        assert "'unsafe-eval'" not in response["Content-Security-Policy"], name
        permissions = response["Permissions-Policy"]
        for feature in ["camera", "microphone", "geolocation", "payment", "usb"]:
            assert f"{feature}=()" in permissions, name


def test_redirects_and_errors_carry_them_too(client, opml20):
    response = client.get("/")  # one published conference: a redirect
    assert response.status_code == 302
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "camera=()" in response["Permissions-Policy"]


@pytest.mark.cache
def test_json_ld_is_the_only_inline_script_and_needs_no_nonce(client, opml20):
    """JSON-LD is data, never run, so `script-src 'self'` alone fits every page; no nonce,
    since public pages come from a shared cache."""
    for name, url in public_pages(opml20).items():
        response = client.get(url)
        assert parse_policy(response["Content-Security-Policy"])["script-src"] == ["'self'"], name
        if response["Content-Type"].startswith("text/html"):
            scripts = check_markup(response)
            assert {kind for kind, _ in scripts} <= {"application/ld+json"}, name
            assert {nonce for _, nonce in scripts} <= {None}, name


def test_the_admin_runs_under_the_same_policy(opml20, member_client):
    """The admin's own templates and ours (sortable inlines, import, readiness, merge) need no
    inline script or style, so the admin gets no looser policy."""
    session = Session.objects.get(conference=opml20, number=1)
    talk = session.talks.first()
    speakers = Speaker.objects.filter(authorships__talk=talk)
    pages = [
        reverse("admin:index"),
        reverse("admin:program_conference_changelist"),
        reverse("admin:program_conference_change", args=[opml20.pk]),
        reverse("admin:program_session_change", args=[session.pk]),
        reverse("admin:program_talk_change", args=[talk.pk]),
        reverse("admin:program_talk_add"),
        reverse("admin:speakers_speaker_changelist"),
        reverse("admin:program_conference_readiness", args=[opml20.pk]),
        reverse("admin:program_conference_import"),
    ]
    for url in pages:
        response = member_client.get(url)
        assert response.status_code == 200, url
        assert "'unsafe-inline'" not in response["Content-Security-Policy"], url
        check_markup(response)
    merge = member_client.post(
        reverse("admin:speakers_speaker_changelist"),
        {"action": "merge", "_selected_action": [s.pk for s in speakers[:2]]},
    )
    assert merge.status_code == 200
    check_markup(merge)
    assert Conference.objects.count() == 1
