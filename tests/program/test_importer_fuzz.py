"""Property-based fuzzing of the importer (Hypothesis): whatever the text, it parses and imports,
or it is refused with a ProgramFormatError naming a line the text has, and a refused import
writes nothing. Bounded to a few hundred examples so that the suite stays quick."""

import re

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from program.importer import apply_program
from program.models import Conference, Day, Session, Talk
from program.parser import ProgramFormatError, parse_program
from speakers.models import Affiliation, Authorship, Speaker

MODELS = [Conference, Day, Session, Talk, Affiliation, Speaker, Authorship]
FUZZ = settings(
    max_examples=150,
    deadline=None,
    database=None,  # nothing written into the checkout
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def editor_line_count(text):
    return len(re.split(r"\r\n|\r|\n", text))


def refusal(call, *args, **kwargs):
    """(result, None), or (None, the ProgramFormatError `call` raised)."""
    try:
        return call(*args, **kwargs), None
    except ProgramFormatError as error:
        return None, error


def assert_names_a_line_of(text, error):
    assert 1 <= error.line <= editor_line_count(text), (error.line, str(error))


def assert_parses_or_names_a_line(text, **options):
    """The parsed program, or None after checking that the refusal names a line of `text`."""
    parsed, error = refusal(parse_program, text, **options)
    if error:
        assert_names_a_line_of(text, error)
    return parsed


def assert_imports_or_writes_nothing(text, parsed):
    with transaction.atomic():
        report, error = refusal(apply_program, parsed, "fuzz")
        if error:
            assert_names_a_line_of(text, error)
            assert all(not model.objects.exists() for model in MODELS)
        else:
            assert len(report.created["talk"]) == sum(len(s.talks) for s in parsed.sessions)
        transaction.set_rollback(True)  # the next example starts from an empty database


# --- Texts made of the format's own pieces -----------------------------------------------------

TRICKY = ["\x00", "\u2028", "\u2029", "\x85", "\x0c", "\x0b", "\ufeff", "\r", " and ", "9" * 5000]
words = st.lists(
    st.one_of(
        st.sampled_from("abcXYZ ,;:'.-–0123456789"),
        st.sampled_from(TRICKY),
        st.characters(codec="utf-8"),
    ),
    max_size=12,
).map("".join)
numbers = st.one_of(st.integers(0, 12), st.sampled_from(["007", "99999", "9" * 5000]))
pieces = st.one_of(
    st.sampled_from(
        [
            "OpML '20 Conference Program",
            "All the times listed below are in Pacific Daylight Time (PDT).",
            "All times are in UTC.",
            "Tuesday, July 28",
            "Wednesday, July 29",
            "Sunday, March 8",
            "9:00 am–10:30 am",
            "1:00 am–3:30 am",
            "Available Media",
            "",
        ]
    ),
    st.builds("Session {}: {}".format, numbers, words),
    st.builds("Join the discussion on the Session {} Slack channel.".format, numbers),
    st.builds("{}, {}; {} and {}, {}".format, words, words, words, words, words),
    st.builds("{}, {}".format, words, words),
    st.builds(
        "{}:{} {}m–{}:{} pm".format, numbers, numbers, st.sampled_from("ap"), numbers, numbers
    ),
    words,
)
texts = st.builds(
    lambda lines, newline: newline.join(lines),
    st.lists(pieces, max_size=40),
    st.sampled_from(["\n\n", "\n", "\r\n\r\n", "\r\r"]),
)


@FUZZ
@given(text=texts, year=st.sampled_from([None, 2020, 1, 9999]))
def test_any_text_parses_or_names_one_of_its_lines(text, year):
    assert_parses_or_names_a_line(text, year=year)


# --- The real program, mutated ---------------------------------------------------------------

edits = st.lists(
    st.tuples(
        st.sampled_from(["delete", "duplicate", "swap", "replace", "insert", "truncate"]),
        st.integers(min_value=0),
        st.integers(min_value=0),
        words,
    ),
    min_size=1,
    max_size=4,
)


def mutate(text, edits):
    lines = text.split("\n")
    for action, first, second, payload in edits:
        i, j = first % len(lines), second % len(lines)
        if action == "delete" and len(lines) > 1:
            del lines[i]
        elif action == "duplicate":
            lines.insert(j, lines[i])
        elif action == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        elif action == "replace":
            lines[i] = payload
        elif action == "insert":
            cut = j % (len(lines[i]) + 1)
            lines[i] = lines[i][:cut] + payload + lines[i][cut:]
        elif action == "truncate":
            lines = lines[: max(i, 1)]
    return "\n".join(lines)


@pytest.mark.django_db
@FUZZ
@given(edits=edits)
def test_the_seed_mutated_imports_or_writes_nothing(seed_text, edits):
    text = mutate(seed_text, edits)
    parsed = assert_parses_or_names_a_line(text)
    if parsed is not None:
        assert_imports_or_writes_nothing(text, parsed)
