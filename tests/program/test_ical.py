"""The iCalendar writer and the picks token, without the database."""

import re
import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import icalendar
import pytest

from program.events import Event
from program.ical import build_calendar
from program.picks import MAX_PICKS, PicksTokenError, decode_picks, encode_picks


def calendar_with(summary="Session 1: Title", description="Text", label="", chat_url=""):
    start = datetime(2020, 7, 28, 16, tzinfo=UTC)
    event = Event(
        uid=uuid.UUID(int=1),
        conference_id=1,
        key="session/1",
        listed=True,
        session_uid=str(uuid.UUID(int=1)),
        speakers=(),
        summary=summary,
        description=description,
        start=start,
        end=start + timedelta(minutes=90),
        location="Session 1 Slack channel",
        path="/opml20/sessions/1/",
        chat_url=chat_url,
        chat_label=label,
    )
    revision = SimpleNamespace(sequence=2, modified_at=start)
    return build_calendar(
        name="OpML '20, the program",
        source_url="https://example.org/opml20/calendar.ics",
        base_url="https://example.org",
        events=[event],
        revisions={event.uid: revision},
    )


def unfold(raw):
    return raw.decode().replace("\r\n ", "")


@pytest.mark.parametrize(
    "value",
    [
        "plain",
        "a" * 200,
        "é" * 100,  # two octets each: a fold must not split one
        "x" + "😀" * 40,  # four octets each
        "Commas, semicolons; back\\slash\nnew line",
    ],
)
def test_lines_fold_at_75_octets_and_unfold_to_the_original(value):
    raw = calendar_with(description=value)
    lines = raw.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)
    for line in lines:
        line.decode()  # never split inside a UTF-8 character
    event = icalendar.Calendar.from_ical(raw).walk("VEVENT")[0]
    assert str(event["DESCRIPTION"]).startswith(value)


def test_control_characters_never_reach_text_or_parameters():
    """RFC 5545 forbids controls other than tab in TEXT; they go by speakers/text.py's rule."""
    raw = calendar_with(
        summary="Bell\x07 and\x1b escape\x7f",
        description="Nul\x00 here\r\nthen\rlines\ttab",
        label='Chat\x0b "here"\nnow',
        chat_url="https://example.org/slack",
    )
    text = unfold(raw)
    assert not re.search(r"[\x00-\x08\x0a-\x1f\x7f]", text.replace("\r\n", ""))
    event = icalendar.Calendar.from_ical(raw).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Bell and escape"
    assert str(event["DESCRIPTION"]).startswith("Nul here\nthen\nlines\ttab")
    assert "LABEL=Chat 'here' now:https" in text


def test_url_has_no_value_parameter_and_conference_keeps_its_required_one():
    text = unfold(calendar_with(label="Chat, here", chat_url="https://example.org/slack/s1"))
    assert "\r\nURL:https://example.org/opml20/sessions/1/\r\n" in text
    assert "\r\nSOURCE:https://example.org/opml20/calendar.ics\r\n" in text
    assert "\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in text
    assert "\r\nNAME:OpML '20\\, the program\r\n" in text
    assert (
        'CONFERENCE;VALUE=URI;FEATURE=CHAT;LABEL="Chat, here":https://example.org/slack/s1' in text
    )


def test_same_input_same_bytes():
    assert calendar_with() == calendar_with()


def test_picks_round_trip_and_canonical_order():
    uids = [uuid.uuid4() for _ in range(5)]
    token = encode_picks(uids)
    assert sorted(decode_picks(token)) == sorted(uids)
    assert encode_picks(reversed(uids)) == token
    assert encode_picks(uids + uids[:2]) == token


def test_picks_token_is_bounded():
    assert len(decode_picks(encode_picks([uuid.uuid4() for _ in range(MAX_PICKS)]))) == MAX_PICKS
    with pytest.raises(PicksTokenError, match="at most"):
        decode_picks(encode_picks([uuid.uuid4() for _ in range(MAX_PICKS + 1)]))


@pytest.mark.parametrize("token", ["", "ab/cd", "A" * 21, "=" * 4])
def test_bad_picks_tokens_are_refused(token):
    with pytest.raises(PicksTokenError):
        decode_picks(token)
