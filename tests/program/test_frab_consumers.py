"""The frab exports as real consumers read them: c3voc-schedule-tools and pyfahrplan read
schedule.json, schedule-convert reads schedule.xml (tests/consumers/read_schedules.py).

They pin old libraries (icalendar<6, attrs<22, lxml<5) that cannot live in the project's
environment, so they run in their own, `.venv-consumers` (`make consumers`; `make test` makes
it), or the Python named by FRAB_CONSUMERS_PYTHON."""

import json
import os
import subprocess
from datetime import date, datetime, timedelta
from pathlib import Path

from program.events import talk_times
from program.models import Session, Talk
from tests import tools
from tests.factories import AuthorshipFactory, ConferenceFactory, SessionFactory, TalkFactory

ROOT = Path(__file__).resolve().parent.parent.parent
DRIVER = ROOT / "tests" / "consumers" / "read_schedules.py"
PYTHON = Path(os.environ.get("FRAB_CONSUMERS_PYTHON", ROOT / ".venv-consumers" / "bin" / "python"))


def read(client, tmp_path, slug, speaker=""):
    tools.require(PYTHON.exists(), f"no consumers' environment at {PYTHON}: run `make consumers`")
    paths = {}
    for extension in ("json", "xml"):
        response = client.get(f"/{slug}/schedule.{extension}")
        assert response.status_code == 200
        paths[extension] = tmp_path / f"schedule.{extension}"
        paths[extension].write_bytes(response.content)
    result = subprocess.run(
        [str(PYTHON), str(DRIVER), str(paths["json"]), str(paths["xml"]), speaker],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout), json.loads(paths["json"].read_text(encoding="utf-8"))


def expected_events(conference):
    """Each published talk (in program order) with the start it is exported at: its effective
    time by the read model's one rule (its own, else its session's)."""
    events = []
    for session in Session.objects.published().filter(conference=conference).with_talks():
        for talk in session.talks.all():
            start, _ = talk_times(talk, session)
            events.append((talk, start.astimezone(conference.tz)))
    return events


def test_consumers_read_opml20(client, opml20, tmp_path):
    speaker = Talk.objects.get(pk=4).authorships.first().printed_name
    read_back, document = read(client, tmp_path, "opml20", speaker=speaker)
    expected = expected_events(opml20)
    guids = [str(talk.uid) for talk, _ in expected]
    version = document["schedule"]["version"]

    voc = read_back["voc"]
    assert voc["acronym"] == "opml20"
    assert voc["version"] == version
    assert voc["days"] == 8
    assert voc["time_zone"] == "America/Los_Angeles"
    # One place rule (program/events.py): OpML '20 names no rooms, so each session is in its
    # own Slack channel.
    rooms = [f"Session {number} Slack channel" for number in range(1, 9)]
    assert voc["rooms"] == rooms
    assert [e["guid"] for e in voc["events"]] == guids
    assert voc["xml_bytes"] > 0  # and it could write it back as XML
    for event, (talk, start) in zip(voc["events"], expected, strict=True):
        assert event["title"] == talk.title
        assert datetime.fromisoformat(event["start"]) == start.replace(second=0, microsecond=0)
        assert event["room"] == f"Session {talk.session.number} Slack channel"
        assert event["persons"] == [a.printed_name for a in talk.authorships.all()]

    fahrplan = read_back["pyfahrplan"]
    assert [t["guid"] for t in fahrplan["talks"]] == guids
    for row, (talk, _) in zip(fahrplan["talks"], expected, strict=True):
        assert row["title"] == talk.title
        assert row["track"] == str(talk.session)
        assert row["speakers"] == ", ".join(a.printed_name for a in talk.authorships.all())
    # Its speaker filter finds a speaker's talks by name.
    theirs = [t.title for t, _ in expected if speaker in t.author_line]
    assert fahrplan["by_speaker"] == theirs
    assert theirs

    converted = read_back["schedule_convert"]
    assert converted["recognised"]
    assert converted["title"] == "OpML '20"
    assert converted["acronym"] == "opml20"
    assert converted["timezone"] == 'SimpleTZ("-07:00")'
    assert converted["days"] == 8
    assert converted["rooms"] == rooms
    assert [e["guid"] for e in converted["events"]] == guids
    assert converted["ical_events"] == 25  # and it wrote them as iCalendar
    for event, (talk, start) in zip(converted["events"], expected, strict=True):
        authorships = list(talk.authorships.all())
        assert event["title"] == talk.title
        assert event["start"] == start.replace(second=0, microsecond=0, tzinfo=None).isoformat()
        assert event["speakers"] == [a.printed_name for a in authorships]
        assert event["speaker_ids"] == [str(a.speaker_id) for a in authorships]
    # No talk of OpML '20 has times of its own: each lasts its session's 90 minutes.
    assert [event["duration"] for event in converted["events"]] == [90] * 25


def test_consumers_read_rooms_timed_talks_and_links(client, db, tmp_path):
    conference = ConferenceFactory(
        slug="mlconf", name="ML Conf", time_zone="Europe/Berlin", default_location_name="Hall A"
    )
    hall = SessionFactory(day__conference=conference, day__date=date(2030, 7, 1))
    online = SessionFactory(
        day=hall.day,
        start=hall.start,
        end=hall.end,
        location_name="Online stage",
        location_url="https://stream.example/stage",
        slack_url="https://slack.example/online",
    )
    timed = TalkFactory(
        session=online,
        start=online.start + timedelta(minutes=10),
        end=online.start + timedelta(minutes=40),
        media_url="https://media.example/timed",
    )
    AuthorshipFactory(talk=timed, speaker__name="Ada Example")
    AuthorshipFactory(talk=TalkFactory(session=hall), speaker__name="Bo Example")

    read_back, _ = read(client, tmp_path, "mlconf", speaker="Ada")
    assert sorted(read_back["voc"]["rooms"]) == ["Hall A", "Online stage"]
    assert sorted(read_back["schedule_convert"]["rooms"]) == ["Hall A", "Online stage"]
    by_guid = {e["guid"]: e for e in read_back["schedule_convert"]["events"]}
    assert by_guid[str(timed.uid)]["start"] == "2030-07-01T09:10:00"
    assert by_guid[str(timed.uid)]["duration"] == 30
    assert by_guid[str(timed.uid)]["room"] == "Online stage"
    voc = {e["guid"]: e for e in read_back["voc"]["events"]}
    assert voc[str(timed.uid)]["start"] == "2030-07-01T09:10:00+02:00"
    assert voc[str(timed.uid)]["duration"] == "00:30"
    assert read_back["pyfahrplan"]["by_speaker"] == [timed.title]
