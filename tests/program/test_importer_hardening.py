"""The importer refuses what it cannot use with an answer naming the line or the option, writes
nothing then, reads files one way (size, encoding, control characters), numbers lines as an
editor does, and runs a fixed number of queries whatever the program's size."""

import re
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import DataError
from django.db.models.query import QuerySet

from program import parser
from program.importer import apply_program
from program.management.commands.generate_program import program_text
from program.models import Conference, Day, Session, Talk
from program.parser import (
    MAX_PROGRAM_BYTES,
    ProgramFormatError,
    ProgramInputError,
    parse_program,
    read_program,
)
from speakers.models import Affiliation, Authorship, Speaker

MODELS = [Conference, Day, Session, Talk, Affiliation, Speaker, Authorship]
HUGE = "9" * 5000  # int() refuses more than 4,300 digits


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def nothing_written():
    return counts() == dict.fromkeys(counts(), 0)


def line_of(text, fragment):
    """The line an editor shows `fragment` on (lines end at \\n, \\r\\n or \\r only)."""
    return len(re.split(r"\r\n|\r|\n", text[: text.index(fragment)]))


def run_command(tmp_path, data, **options):
    path = tmp_path / "program.txt"
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    call_command("import_program", str(path), conference="opml20", **options)


def command_error(tmp_path, data, **options):
    with pytest.raises(CommandError) as error:
        run_command(tmp_path, data, **options)
    return str(error.value)


# --- Control characters, the byte order mark, the size limit -------------------------------------


def test_a_nul_byte_is_dropped_on_the_way_in_never_stored(db, tmp_path, seed_text):
    """PostgreSQL refuses a NUL in text and SQLite would store it: neither sees one."""
    text = seed_text.replace("Runway - Model", "Runway\x00 - Model\x07")
    run_command(tmp_path, text)
    assert Talk.objects.filter(title="Runway - Model Lifecycle Management at Netflix").exists()
    assert not any("\x00" in title for title in Talk.objects.values_list("title", flat=True))


def test_the_command_drops_a_byte_order_mark(db, tmp_path, seed_text):
    run_command(tmp_path, "\ufeff".encode() + seed_text.encode())
    assert Conference.objects.get().name == "OpML '20"


def test_the_command_has_the_admins_size_limit(db, tmp_path, seed_text):
    padding = "\n" * (MAX_PROGRAM_BYTES + 1 - len(seed_text.encode()))
    message = command_error(tmp_path, seed_text + padding)
    assert "larger than 2 MB" in message
    assert nothing_written()


def test_reading_is_one_function_with_the_documented_limits():
    assert read_program("\ufeffA\x00B\r\nC\u2028D\x0cE".encode()) == "AB\nC DE"
    with pytest.raises(ProgramInputError, match="not UTF-8"):
        read_program(b"\xff\xfe")
    with pytest.raises(ProgramInputError, match="larger than 2 MB"):
        read_program(b" " * (MAX_PROGRAM_BYTES + 1))


# --- Line numbers as an editor counts them ---------------------------------------------------


@pytest.mark.parametrize(
    "separator", ["\u2028", "\u2029", "\x85", "\x0c", "\x0b", "\x1c", "\x1d", "\x1e"]
)
def test_line_numbers_ignore_what_str_splitlines_also_breaks_at(seed_text, separator):
    """An editor breaks lines at \\n, \\r\\n and \\r only; the error names its line."""
    text = seed_text.replace("Deep Learning is a critical", f"Deep{separator}Learning is a", 1)
    text = text.replace("Wednesday, July 29", "Thursday, July 29")
    with pytest.raises(ProgramFormatError) as error:
        parse_program(text)
    assert error.value.line == line_of(text, "Thursday, July 29")


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_line_numbers_are_the_same_with_any_line_ending(seed_text, newline):
    text = seed_text.replace("Wednesday, July 29", "Thursday, July 29")
    with pytest.raises(ProgramFormatError) as error:
        parse_program(text.replace("\n", newline))
    assert error.value.line == line_of(text, "Thursday, July 29")


def test_a_unicode_line_separator_inside_a_paragraph_becomes_a_space(seed_text):
    parsed = parse_program(seed_text.replace("Runway - Model", "Runway\u2028- Model"))
    assert parsed.sessions[1].talks[1].title == "Runway - Model Lifecycle Management at Netflix"


# --- Numbers and options Python refuses ------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Session 2: Model", f"Session {HUGE}: Model"),
        ("the Session 2 Slack", f"the Session {HUGE} Slack"),
    ],
)
def test_a_5000_digit_number_names_its_line(db, tmp_path, seed_text, old, new):
    text = seed_text.replace(old, new)
    message = command_error(tmp_path, text)
    assert f"line {line_of(text, HUGE)}: " in message
    assert "too large a number" in message
    assert "Nothing was imported" in message
    assert nothing_written()


def test_leading_zeros_do_not_make_a_number_large(seed_text):
    text = seed_text.replace("Session 2: Model", f"Session {'0' * 5000}2: Model")
    assert parse_program(text).sessions[1].number == 2


def test_session_numbers_run_to_9999_whatever_the_database(seed_text):
    text = seed_text.replace("Session 2: Model", "Session 10000: Model")
    with pytest.raises(ProgramFormatError, match="too large a number") as error:
        parse_program(text)
    assert error.value.line == line_of(text, "Session 10000")


@pytest.mark.parametrize("zone", ["Mars/Base", "../../etc/passwd", "", "/etc/localtime"])
def test_an_unknown_time_zone_is_an_answer_about_the_option(db, tmp_path, seed_text, zone):
    message = command_error(tmp_path, seed_text, time_zone=zone or " ")
    assert message.startswith("--time-zone: ")
    assert "not an IANA time zone name" in message
    assert nothing_written()


def test_an_unknown_time_zone_given_to_the_parser(seed_text):
    with pytest.raises(ProgramInputError) as error:
        parse_program(seed_text, time_zone="Mars/Base")
    assert error.value.option == "time_zone"


@pytest.mark.parametrize("year", [0, -5, 10**6])
def test_a_year_out_of_range_names_the_day(db, tmp_path, seed_text, year):
    message = command_error(tmp_path, seed_text, year=year)
    assert f"line {line_of(seed_text, 'Tuesday, July 28')}: " in message
    assert nothing_written()


def test_a_time_past_the_end_of_the_calendar_names_its_line():
    """11 pm on December 31, 9999 in California is in the year 10000 in UTC."""
    weekday = f"{date(9999, 12, 31):%A}"
    text = f"X Conference Program\n\n{weekday}, December 31\n\n11:00 pm–11:30 pm\n\nSession 1: A\n"
    with pytest.raises(ProgramFormatError) as error:
        parse_program(text, year=9999, time_zone="America/Los_Angeles")
    assert error.value.line == 5


# --- What the models or the database refuse ----------------------------------------------------


def test_a_name_too_long_for_the_model_names_its_line(db, seed_text):
    long_name = "Yan " + "Y" * 300
    text = seed_text.replace("Yan Yan, Facebook", f"{long_name}, Facebook")
    with pytest.raises(ProgramFormatError) as error:
        apply_program(parse_program(text), "opml20")
    assert error.value.line == line_of(text, long_name)
    assert "speaker" in error.value.message
    assert nothing_written()


def test_two_names_of_one_speaker_in_a_byline_name_its_line(db, seed_text):
    """ "Mike Arov" is Mikhail Arov (his bio says so): both in one byline is one speaker twice,
    which the database would refuse."""
    text = seed_text.replace("Yan Yan, Facebook", "Mike Arov and Mikhail Arov, Intuit", 1)
    with pytest.raises(ProgramFormatError) as error:
        apply_program(parse_program(text), "opml20")
    assert error.value.line == line_of(text, "Mike Arov and Mikhail")
    assert "are the same speaker, Mikhail Arov" in error.value.message
    assert nothing_written()


def test_anything_the_database_refuses_names_a_line_and_writes_nothing(db, seed_text, monkeypatch):
    bulk_create = QuerySet.bulk_create

    def refuse_authorships(queryset, objs, *args, **kwargs):
        if queryset.model is Authorship:
            raise DataError("value too long for type character varying(200)")
        return bulk_create(queryset, objs, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "bulk_create", refuse_authorships)
    with pytest.raises(ProgramFormatError) as error:
        apply_program(parse_program(seed_text), "opml20")
    assert 1 <= error.value.line <= seed_text.count("\n") + 1
    assert "value too long" in error.value.message
    assert nothing_written()


def test_the_command_turns_a_database_refusal_into_a_clear_error(db, tmp_path, seed_text):
    text = seed_text.replace("Yan Yan, Facebook", "Mike Arov and Mikhail Arov, Intuit", 1)
    message = command_error(tmp_path, text)
    assert re.search(r"program\.txt, line \d+: ", message)
    assert "Nothing was imported" in message
    assert nothing_written()


# --- Queries ---------------------------------------------------------------------------------

SMALL = {"days": 1, "sessions_per_day": 1, "talks_per_session": 2}
LARGE = {"days": 2, "sessions_per_day": 2, "talks_per_session": 15}  # 60 talks, 180 bylines


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["2 talks", "60 talks"])
def test_an_import_runs_a_fixed_number_of_queries(db, size, django_assert_max_num_queries):
    """Whatever the program's size (within one SQLite batch of 999 parameters: beyond it, bulk
    writes on SQLite take one more query a batch)."""
    parsed = parse_program(program_text(**size))
    with django_assert_max_num_queries(33):
        apply_program(parsed, "bench", dry_run=True)
    with django_assert_max_num_queries(33):
        report = apply_program(parsed, "bench")
    assert len(report.created["talk"]) == sum(len(s.talks) for s in parsed.sessions)
    with django_assert_max_num_queries(18):
        report = apply_program(parsed, "bench")
    assert not report.changed


def test_a_program_over_the_talk_limit_is_refused_at_the_talk_past_it(db, monkeypatch):
    """The command and the admin share the limit: it is the parser's."""
    monkeypatch.setattr(parser, "MAX_PROGRAM_TALKS", 3)
    text = program_text(days=1, sessions_per_day=2, talks_per_session=2)
    with pytest.raises(ProgramFormatError) as caught:
        parse_program(text)
    fourth_talk = [line for line in text.splitlines() if line.startswith("Generated talk")][3]
    assert caught.value.line == text.splitlines().index(fourth_talk) + 1
    assert "at most 3 talks" in caught.value.message
    monkeypatch.setattr(parser, "MAX_PROGRAM_TALKS", 4)
    assert sum(len(s.talks) for s in parse_program(text).sessions) == 4
