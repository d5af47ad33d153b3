"""Every XML and calendar output stays well-formed whatever text is stored: characters XML 1.0
forbids (C0 controls, U+FFFE, U+FFFF, lone surrogates) are removed on the way out by one function
(speakers/text.py, `printable`), and input never stores them, nor a line break in a one-line
field."""

import icalendar
import pytest
from django.db import connection
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from program import revisions
from program.models import ChangeLogEntry, Conference, Session, Talk
from speakers.models import Affiliation, Speaker
from speakers.text import FORBIDDEN_CHARACTERS, normalise_line, printable
from tests.factories import TalkFactory
from tests.program.test_admin_pages import admin_url, form_data

pytestmark = pytest.mark.django_db

HOSTILE = "Evil\x00\x01\x08\x0b\x0c\x1b\x1f\x7f\ufffe\uffff\ud800 <&>\u2028 \"'\r\n\t end"


def storable(text):
    """What the database accepts of `text`: no lone surrogate anywhere, no NUL in PostgreSQL."""
    text = text.replace("\ud800", "")
    return text if connection.vendor == "sqlite" else text.replace("\x00", "")


def xml_outputs(conference):
    session = Session.objects.filter(conference=conference).first()
    speaker = Speaker.objects.filter(authorships__talk__session=session).first()
    return {
        "frab": reverse("program:schedule_xml", kwargs={"conference_slug": conference.slug}),
        "atom": reverse("program:changes_feed", kwargs={"slug": conference.slug}),
        "sitemap": "/sitemap.xml",
    }, [
        conference.get_calendar_url(),
        session.get_calendar_url(),
        session.talks.first().get_calendar_url(),
        reverse("feeds:speaker", kwargs={"slug": speaker.slug}),
    ]


def store_hostile_text(conference):
    """Hostile text everywhere a title, name or paragraph is kept, written past every form."""
    hostile = storable(HOSTILE)
    Conference.objects.filter(pk=conference.pk).update(
        name=hostile, intro=hostile, default_location_name=hostile
    )
    Session.objects.filter(conference=conference).update(
        title=hostile, description=hostile, location_name=hostile, slack_label=hostile
    )
    Talk.objects.filter(session__conference=conference).update(title=hostile, abstract=hostile)
    unique = Concat(Value(hostile), Cast("pk", CharField()))  # names may have to be unique
    Speaker.objects.update(name=unique)
    Affiliation.objects.update(name=unique)
    # The calendars send what the revisions recorded, and recording logs the new titles too.
    revisions.record_changes([conference.pk])
    ChangeLogEntry.objects.filter(conference=conference).update(text=hostile)
    revisions.bump_versions([conference.pk], timezone.now())


def test_every_xml_output_parses_with_hostile_text_stored(client, opml20):
    store_hostile_text(opml20)
    xml, calendars = xml_outputs(opml20)
    for name, url in xml.items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        root = etree.fromstring(response.content)  # strict: raises if not well-formed
        if name != "sitemap":
            assert "Evil" in "".join(root.itertext()), name
    for url in calendars:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert not FORBIDDEN_CHARACTERS.search(text), url
        calendar = icalendar.Calendar.from_ical(response.content)
        summaries = [str(event.get("SUMMARY", "")) for event in calendar.walk("VEVENT")]
        assert any("Evil" in summary for summary in summaries), summaries[:3]


def test_the_atom_feed_recovers_once_the_title_is_fixed(client, opml20):
    """The change log keeps the text of its time; its feed must stay readable all the same."""
    entry = ChangeLogEntry.objects.filter(conference=opml20).first()
    ChangeLogEntry.objects.filter(pk=entry.pk).update(text="Retitled “A\ufffeB”")
    Talk.objects.filter(session__conference=opml20).update(title="Fixed")
    revisions.bump_versions([opml20.pk], timezone.now())
    url = reverse("program:changes_feed", kwargs={"slug": opml20.slug})
    root = etree.fromstring(client.get(url).content)
    assert "Retitled “AB”" in "".join(root.itertext())


def test_printable_removes_exactly_what_xml_forbids():
    assert printable(HOSTILE) == "Evil <&>\u2028 \"'\r\n\t end"
    assert printable("Grüße — 日本 🎉\ufffd\ufdd0") == "Grüße — 日本 🎉\ufffd\ufdd0"


def test_one_line_fields_hold_no_line_break():
    assert normalise_line("Two\r\nlines") == "Two lines"
    assert normalise_line("Title \n\n  continued\u2028here") == "Title continued here"
    assert normalise_line("Keep\ttabs") == "Keep\ttabs"


@pytest.mark.parametrize(
    ("model", "field"),
    [(Talk, "title"), (Session, "title"), (Speaker, "name"), (Affiliation, "name")],
)
def test_the_admin_stores_one_line_fields_on_one_line(member_client, opml20, model, field):
    item = model.objects.first()
    url = admin_url(model, "change", item.pk)
    data = form_data(member_client.get(url)) | {field: "Split\r\ntitle\ufffe\uffff here"}
    response = member_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    item.refresh_from_db()
    assert getattr(item, field) == "Split title here"


def test_paragraphs_keep_their_line_breaks_but_lose_noncharacters():
    talk = TalkFactory()
    talk.title, talk.abstract = "T\ufffe\r\nU", "One\r\n\r\nTwo\uffff"
    talk.full_clean()
    assert (talk.title, talk.abstract) == ("T U", "One\r\n\r\nTwo")
