"""Read our schedule.json and schedule.xml with the tools attendees and video teams use, and
print what each understood, as JSON. Runs in .venv-consumers (`make consumers`), not in the
project's environment: tests/program/test_frab_consumers.py calls it.

    read_schedules.py schedule.json schedule.xml

* c3voc-schedule-tools (imports as `voc`): the c3voc video team's library. It reads
  schedule.json only (`Schedule.from_file`); it writes XML but has no XML reader. Its 1.1.0
  reads an "hh:mm" duration as minutes and seconds (`voc.tools.str2timedelta`: "00:30" is 30
  seconds), for every schema-valid file, pretalx's too; so we report the duration it keeps,
  not its computed end.
* pyfahrplan: the "CCC Fahrplan" CLI. It only downloads a fixed list of CCC URLs, so we hand
  it our parsed file where it keeps downloaded plans and run its own flattening and filtering.
  Its pinned download cache (requests-cache 0.8 over cattrs 1.10) fails at import on Python
  3.10.13 and 3.11.7 ("ForwardRef('CachedResponse') is not a class"); we download nothing, so
  then a do-nothing stand-in takes the cache's place, and the output says so.
* schedule-convert: a frab XML importer (`FrabXmlImporter`), used to merge and convert
  conference schedules; we also run its iCal exporter on what it read.
"""

import io
import json
import sys
import types


def read_with_voc(path):
    # Each reader imports its own tool: pyfahrplan's import must wait for its stand-in.
    from voc.schedule import Schedule  # the package of c3voc-schedule-tools

    schedule = Schedule.from_file(path)
    events = schedule.foreach_event(lambda event: event)
    xml = schedule.xml()
    return {
        "acronym": schedule.conference("acronym"),
        "version": schedule.version(),
        "days": len(schedule.days()),
        "rooms": schedule.rooms(),
        "time_zone": str(schedule.tz()),
        "events": [
            {
                "guid": event["guid"],
                "title": event["title"],
                "start": event.start.isoformat(),
                "duration": event["duration"],
                "room": event["room"],
                "persons": [p.get("public_name") or p.get("name") for p in event["persons"]],
            }
            for event in events
        ],
        "xml_bytes": len(xml),
    }


def stand_in_for_requests_cache():
    """Install a do-nothing `requests_cache` when the real one cannot be imported."""
    try:
        import requests_cache  # noqa: F401
    except TypeError:
        stand_in = types.ModuleType("requests_cache")
        stand_in.install_cache = lambda *args, **kwargs: None
        stand_in.clear = lambda: None
        sys.modules["requests_cache"] = stand_in
        return True
    return False


def read_with_pyfahrplan(path, speaker):
    stubbed = stand_in_for_requests_cache()
    from pyfahrplan.lib import Fahrplan, filter_talk

    with open(path, encoding="utf-8") as file:
        data = json.load(file)
    plan = Fahrplan.__new__(Fahrplan)  # its __init__ would download CCC's plans
    plan.update_cache = False
    plan.fahrplans = [data["schedule"]]
    plan.flatten_fahrplans()
    return {
        "requests_cache_stubbed": stubbed,
        "talks": [
            {
                "guid": talk["talk_guid"],
                "title": talk["title"],
                "date": talk["talk_date"],
                "duration": talk["talk_duration"],
                "room": talk["room"],
                "track": talk["track"],
                "speakers": talk["speakers"],
            }
            for talk in plan.flat_plans
        ],
        "by_speaker": [
            talk["title"] for talk in plan.flat_plans if filter_talk(talk, speaker=speaker)
        ],
    }


def read_with_schedule_convert(path):
    from schedule_convert.exporters.ical import ICalExporter
    from schedule_convert.importers.frab_xml import FrabXmlImporter

    importer = FrabXmlImporter()
    with open(path, encoding="utf-8") as file:
        head = file.read(2000)
    with open(path, "rb") as file:
        conference = importer.parse(file)
    ical = io.StringIO()
    ICalExporter().write(ical, conference)
    return {
        "recognised": importer.check(head),
        "title": conference.title,
        "acronym": conference.slug,
        "timezone": str(conference.timezone),
        "days": len(conference.days),
        "rooms": sorted(room.name for room in conference.rooms),
        "events": [
            {
                "guid": str(event.guid),
                "title": event.title,
                "start": event.start.isoformat(),
                "duration": event.duration,
                "room": event.room.name,
                "speakers": [speaker.name for speaker in event.speakers],
                "speaker_ids": [speaker.id for speaker in event.speakers],
            }
            for event in conference.events
        ],
        "ical_events": ical.getvalue().count("BEGIN:VEVENT"),
    }


def main(json_path, xml_path, speaker):
    json.dump(
        {
            "voc": read_with_voc(json_path),
            "pyfahrplan": read_with_pyfahrplan(json_path, speaker),
            "schedule_convert": read_with_schedule_convert(xml_path),
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main(*sys.argv[1:4])
