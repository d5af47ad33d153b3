"""The My picks page (issue 19): grouped by day, the program's time format, clashes said in
words, a talk inside a picked session shown as covered, and one line saying its address is
the list."""

import json
import re

import pytest
from django.test import Client

from program.models import Session, Talk
from tests.factories import SessionFactory
from tests.program.test_views import page_text

pytestmark = pytest.mark.django_db
API = "/picks/lists/"


def make_list(uids):
    client = Client(enforce_csrf_checks=True)
    token = client.get(API).json()["csrf_token"]
    created = client.post(
        API,
        json.dumps({"items": [str(u) for u in uids]}),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert created.status_code == 201
    return f"/picks/{created.json()['feed']}/"


def test_picks_are_grouped_by_day_in_the_programs_format(client, opml20):
    one = Session.objects.get(conference=opml20, number=1)
    four = Session.objects.get(conference=opml20, number=4)
    text = page_text(client.get(make_list([four.uid, one.uid])))
    assert "This page's address is your list: bookmark it, or open it on another device" in text
    first = text.index("Tuesday, July 28 · OpML '20")
    second = text.index("Thursday, July 30 · OpML '20") if "Thursday, July 30" in text else None
    assert first < text.index(str(one))
    # The program's own format ("9:00–10:30 am PDT"), not "a.m.".
    assert "9:00–10:30 am PDT" in text
    assert "a.m." not in text
    assert second is None or second > text.index(str(one))
    html = client.get(make_list([one.uid])).content.decode()
    assert re.search(r'<time class="when" datetime="[^"]+" data-end="[^"]+"', html)


def test_a_talk_in_a_picked_session_is_covered_not_a_clash(client, opml20):
    session = Session.objects.get(conference=opml20, number=1)
    talk = Talk.objects.filter(session=session).first()
    text = page_text(client.get(make_list([session.uid, talk.uid])))
    assert "In your pick of its session: one calendar event, the session's." in text
    assert "Clashes with" not in text


def test_overlapping_picks_are_said_to_clash(client, parallel_program):
    first, second = Session.objects.filter(conference=parallel_program, number__in=[1, 2])
    assert first.overlaps(second)
    text = page_text(client.get(make_list([first.uid, second.uid])))
    assert f"Clashes with {second}." in text
    assert f"Clashes with {first}." in text
    later = SessionFactory(
        conference=parallel_program,
        day=first.day,
        number=99,
        start=first.end,
        end=first.end + (first.end - first.start),
    )
    text = page_text(client.get(make_list([first.uid, later.uid])))
    assert "Clashes with" not in text
