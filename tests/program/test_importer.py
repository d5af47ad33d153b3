"""The importer on the real OpML '20 program and on broken copies of it."""

import re
from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command

from program.importer import apply_program
from program.models import Conference, Day, Session, Talk
from program.parser import ProgramFormatError, parse_author_line, parse_program
from speakers.models import Affiliation, Authorship, Speaker

MODELS = [Conference, Day, Session, Talk, Affiliation, Speaker, Authorship]


def import_text(text, slug="opml20", **options):
    return apply_program(parse_program(text), slug, **options)


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def snapshot():
    """Every row of every model, as plain values, to prove that nothing changed."""
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in MODELS}


def seed_paragraphs(seed_text):
    return [line.strip() for line in seed_text.splitlines() if line.strip()]


def seed_author_line(seed_text, title):
    """The line the seed prints right after a talk's title: its byline."""
    paragraphs = seed_paragraphs(seed_text)
    return paragraphs[paragraphs.index(title) + 1]


@pytest.fixture
def imported(db, seed_text):
    report = import_text(seed_text, publish=True)
    return Conference.objects.get(slug="opml20"), report


# --- The seed, imported ---------------------------------------------------------------------


def test_seed_import_counts(imported):
    conference, report = imported
    assert counts() == {
        "Conference": 1,
        "Day": 8,
        "Session": 8,
        "Talk": 25,
        # Everyone named in a byline once: 73 bylines name 71 people (Todd Underwood and
        # Jason Dai give two talks each); 26 organisations as printed.
        "Affiliation": 26,
        "Speaker": 71,
        "Authorship": 73,
    }
    assert conference.name == "OpML '20"
    assert conference.time_zone == "America/Los_Angeles"
    assert [row[1] for row in report.summary_rows()] == [1, 8, 8, 25, 26, 71, 73]
    assert not report.unmatched


def test_sessions_are_at_nine_pdt_exactly_in_utc(imported):
    sessions = list(Session.objects.order_by("number"))
    assert [s.number for s in sessions] == list(range(1, 9))
    # 9:00 PDT is 16:00 UTC; the seed's days run from Tuesday, July 28 to Friday, August 7.
    assert sessions[0].start == datetime(2020, 7, 28, 16, 0, tzinfo=UTC)
    assert sessions[0].end == datetime(2020, 7, 28, 17, 30, tzinfo=UTC)
    assert sessions[-1].start == datetime(2020, 8, 7, 16, 0, tzinfo=UTC)
    assert [s.day.date.isoformat() for s in sessions] == [
        "2020-07-28", "2020-07-29", "2020-07-30", "2020-07-31",
        "2020-08-04", "2020-08-05", "2020-08-06", "2020-08-07",
    ]  # fmt: skip
    assert all(s.start.hour == 16 and (s.end - s.start).seconds == 90 * 60 for s in sessions)


def test_every_byline_prints_back_as_the_seed_prints_it(imported, seed_text):
    talks = Talk.objects.with_speakers()
    assert len(talks) == 25
    for talk in talks:
        assert talk.author_line == seed_author_line(seed_text, talk.title)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (
            "RIANN: Real-time Incremental Learning with Approximate Nearest Neighbor on Mobile "
            "Devices",
            [
                ("Jiawen Liu", "University of California, Merced"),
                ("Zhen Xie", "University of California, Merced"),
                ("Dimitrios Nikolopoulos", "Virginia Tech"),
                ("Dong Li", "University of California, Merced"),
            ],
        ),
        (
            "Auto Content Moderation in C2C e-Commerce",
            [
                ("Shunya Ueta", "Mercari, inc."),
                ("Suganprabu Nagaraja", "Mercari, inc."),
                ("Mizuki Sango", "Mercari, inc."),
            ],
        ),
        (
            "Time Travel and Provenance for Machine Learning Pipelines",
            [
                ("Alexandru A. Ormenisan", "KTH - Royal Institute of Technology"),
                ("Moritz Meister", "Logical Clocks AB"),
                ("Fabio Buso", "Logical Clocks AB"),
                ("Robin Andersson", "Logical Clocks AB"),
                ("Seif Haridi", "KTH - Royal Institute of Technology"),
                ("Jim Dowling", "KTH - Royal Institute of Technology"),
            ],
        ),
        (
            "Challenges Towards Production-Ready Explainable Machine Learning",
            [
                ("Lisa Veiber", "SnT – Univ. of Luxembourg"),
                ("Kevin Allix", "SnT – Univ. of Luxembourg"),
                ("Yusuf Arslan", "SnT – Univ. of Luxembourg"),
                ("Tegawendé F. Bissyandé", "SnT – Univ. of Luxembourg"),
                ("Jacques Klein", "SnT – Univ. of Luxembourg"),
            ],
        ),
    ],
)
def test_tricky_author_lines(imported, title, expected):
    talk = Talk.objects.get(title=title)
    assert [(a.printed_name, a.affiliation.name) for a in talk.authorships.all()] == expected


def test_people_with_two_talks_are_one_speaker(imported):
    for name, talk_count in [("Todd Underwood", 2), ("Jason Dai", 2)]:
        speaker = Speaker.objects.get(name=name)
        assert speaker.authorships.count() == talk_count
    todd = Speaker.objects.get(name="Todd Underwood")
    assert {a.talk.session.number for a in todd.authorships.all()} == {6, 7}


def test_bios_land_on_the_right_people(imported):
    def bio(name):
        return Speaker.objects.get(name=name).bio

    assert bio("John Zedlewski").startswith("John Zedlewski is the director of GPU-accelerated")
    assert bio("Liping Peng").startswith("Liping is a Senior Software Engineer")
    assert bio("Eugen Cepoi").startswith("Eugen is a Senior Software Engineer")
    assert bio("Jiaming Song").startswith("Mr. Song Jiaming is a Machine Learning engineer")
    # Paper authors have no bio in the program: none is made up.
    assert bio("Abdul Dakkak") == ""
    assert bio("Dongjie Shi") == ""
    # Tobias Andreasen's bio has two paragraphs.
    paragraphs = bio("Tobias Andreasen").split("\n\n")
    assert len(paragraphs) == 2
    assert paragraphs[1].startswith("Tobias holds a master’s and bachelor’s degree")


def test_bio_under_a_fuller_name_goes_to_the_byline_author(imported):
    """The byline says "Mike Arov"; his bio is headed "Mikhail Arov, Intuit"."""
    speaker = Speaker.objects.get(name="Mikhail Arov")
    assert speaker.bio.startswith("Mike is a Staff ML Engineer at Intuit")
    assert speaker.affiliation.name == "Intuit"
    authorship = speaker.authorships.get()
    assert authorship.credited_name == "Mike Arov"
    assert "Mike Arov, Intuit" in authorship.talk.author_line
    assert not Speaker.objects.filter(name="Mike Arov").exists()


def test_paragraphs_are_kept(imported):
    riann = Talk.objects.get(title__startswith="RIANN")
    assert len(riann.abstract.split("\n\n")) == 2
    assert riann.abstract.split("\n\n")[1].startswith("We introduce an indexing and search")
    session1 = Session.objects.get(number=1)
    assert len(session1.description.split("\n\n")) == 2
    automating = Talk.objects.get(title="Automating Operations with ML")
    assert len(automating.abstract.split("\n\n")) == 3


def test_affiliations_are_kept_as_printed(imported):
    names = set(Affiliation.objects.values_list("name", flat=True))
    # The committee merges these in the admin; the importer invents no equivalence.
    assert {"Intuit", "Intuit Inc.", "VMware Inc", "Mercari, inc."} <= names


def test_every_paragraph_of_the_seed_survives(imported, seed_text):
    """Each paragraph of the published text is in the database, verbatim, as a field or as what
    the models print from their fields (headings, bylines, times)."""
    conference, _ = imported
    known = {conference.program_title, conference.time_zone_note, "Available Media"}
    known.update(conference.intro.split("\n\n"))
    for session in Session.objects.select_related("day"):
        day = session.day.date
        known.add(f"{day:%A, %B} {day.day}")
        known.add("9:00 am–10:30 am")
        known.update([str(session), session.slack_invitation, *session.description.split("\n\n")])
    for talk in Talk.objects.with_speakers():
        known.update([talk.title, talk.author_line, *talk.abstract.split("\n\n")])
        assert talk.has_media
    for speaker in Speaker.objects.exclude(bio="").select_related("affiliation"):
        known.add(f"{speaker.name}, {speaker.affiliation.name}")
        known.update(speaker.bio.split("\n\n"))
    missing = [p for p in seed_paragraphs(seed_text) if p not in known]
    assert missing == []


def test_slack_lines_keep_their_wording(imported):
    assert (
        Session.objects.get(number=1).slack_invitation
        == "Join the discussion on the Session 1 Slack channel."
    )
    assert (
        Session.objects.get(number=2).slack_invitation
        == "Join the discussion at the Session 2 Slack channel."
    )
    assert not Session.objects.exclude(slack_url="").exists()  # the seed gives no URL


def test_uids_are_the_same_in_a_fresh_database(imported, seed_text, django_db_blocker):
    """UIDs derive from the program, so rebuilding the database by importing again keeps them."""
    uids = dict(Talk.objects.values_list("title", "uid"))
    session_uids = dict(Session.objects.values_list("number", "uid"))
    Authorship.objects.all().delete()
    Talk.objects.all().delete()
    Session.objects.all().delete()
    import_text(seed_text)
    assert dict(Talk.objects.values_list("title", "uid")) == uids
    assert dict(Session.objects.values_list("number", "uid")) == session_uids


# --- Running again -----------------------------------------------------------------------------


def test_second_run_changes_nothing(imported, seed_text):
    before = snapshot()
    report = import_text(seed_text, publish=True)
    assert not report.changed
    assert report.unchanged["talk"] == 25
    assert report.unchanged["authorship"] == 73
    assert snapshot() == before


def test_edited_text_updates_in_place(imported, seed_text):
    talk = Talk.objects.get(title="Automating Operations with ML")
    session = Session.objects.get(number=3)
    edited = seed_text.replace(
        "Automating Operations with ML", "Automating Operations with Machine Learning"
    ).replace("Session 3: Features, Explainability, and Analytics", "Session 3: Features")
    edited = edited.replace("John Zedlewski is the director", "John Zedlewski is now the director")
    report = import_text(edited)
    retitled = Talk.objects.get(pk=talk.pk)
    assert retitled.title == "Automating Operations with Machine Learning"
    assert (retitled.uid, retitled.slug) == (talk.uid, talk.slug)  # identity and URL kept
    assert Session.objects.get(pk=session.pk).title == "Features"
    assert Speaker.objects.get(name="John Zedlewski").bio.startswith("John Zedlewski is now")
    assert report.updated["talk"] == ["Automating Operations with Machine Learning"]
    assert report.updated["session"] == ["Session 3: Features"]
    assert report.updated["speaker"] == ["John Zedlewski"]
    assert counts()["Talk"] == 25


def test_reordered_authors_update_the_byline(imported, seed_text):
    edited = seed_text.replace(
        "Eugen Cepoi and Liping Peng, Netflix", "Liping Peng and Eugen Cepoi, Netflix"
    )
    import_text(edited)
    talk = Talk.objects.get(title__startswith="Runway")
    assert talk.author_line == "Liping Peng and Eugen Cepoi, Netflix"
    assert Speaker.objects.count() == 71


def test_records_missing_from_the_file_are_reported_and_kept(imported, seed_text):
    edited = seed_text.replace("Yan Yan, Facebook\n\nAvailable Media", "Yan Yan, Facebook\n\nX")
    # Cut the last talk off entirely.
    edited = edited[: edited.index("ML Artifacts Ownership Enforcement")]
    report = import_text(edited)
    assert Talk.objects.filter(title="ML Artifacts Ownership Enforcement").exists()
    assert report.unmatched == [
        "talk “ML Artifacts Ownership Enforcement” is in the database but not in the file; "
        "left as it is."
    ]


def test_dry_run_writes_nothing(db, seed_text):
    report = import_text(seed_text, dry_run=True)
    assert report.dry_run
    assert len(report.created["talk"]) == 25
    assert counts() == dict.fromkeys(counts(), 0)


def test_import_leaves_drafts_unless_asked_to_publish(db, seed_text):
    import_text(seed_text)
    assert not Conference.objects.published().exists()
    assert not Talk.objects.published().exists()


# --- The command -----------------------------------------------------------------------------


def test_command_reports_and_is_idempotent(db, tmp_path, seed_text, capsys):
    path = tmp_path / "program.txt"
    path.write_text(seed_text, encoding="utf-8")
    call_command("import_program", str(path), conference="opml20", publish=True)
    first = capsys.readouterr().out
    assert re.search(r"talk\s+created\s+25\s+updated\s+0\s+unchanged\s+0", first)
    assert "Mikhail Arov" in first  # the inferred bio match is reported
    call_command("import_program", str(path), conference="opml20")
    second = capsys.readouterr().out
    assert re.search(r"talk\s+created\s+0\s+updated\s+0\s+unchanged\s+25", second)


def broken(seed_text, old, new):
    assert old in seed_text
    return seed_text.replace(old, new)


def line_of(text, fragment):
    return text[: text.index(fragment)].count("\n") + 1


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("Wednesday, July 29", "Thursday, July 29", "July 29, 2020 is a Wednesday, not a Thursday"),
        ("Session 2: Model Life Cycle", "Session Two: Model Life Cycle", "session heading"),
        ("the Session 3 Slack", "the Session 4 Slack", "names Session 4, not 3"),
        ("9:00 am–10:30 am\n\nSession 5", "9:00 am–8:30 am\n\nSession 5", "end after it starts"),
        ("9:00 am–10:30 am\n\nSession 6", "19:00 am–10:30 am\n\nSession 6", "not a time range"),
        ("Viral Gupta and Yunbo", "Viral Gupta, , and Yunbo", "name is missing"),
        ("Viral Gupta and Yunbo Ouyang, LinkedIn", "Viral Gupta and, LinkedIn", "unambiguously"),
        ("Session 8", "Session 7", "appears twice"),
        ("Pacific Daylight Time (PDT)", "Pacific Standard Time (PST)", "falls in PDT"),
    ],
)
def test_bad_input_names_the_line_and_writes_nothing(db, tmp_path, seed_text, old, new, message):
    text = broken(seed_text, old, new)
    path = tmp_path / "program.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("import_program", str(path), conference="opml20")
    assert message in str(error.value)
    assert "Nothing was imported" in str(error.value)
    assert re.search(r"line \d+:", str(error.value))
    assert counts() == dict.fromkeys(counts(), 0)


def test_error_names_the_exact_line(seed_text):
    text = broken(seed_text, "Wednesday, July 29", "Thursday, July 29")
    with pytest.raises(ProgramFormatError) as error:
        parse_program(text)
    assert error.value.line == line_of(text, "Thursday, July 29")


def test_failure_while_writing_rolls_back_everything(imported, seed_text):
    """A value the database refuses, late in the file, undoes all that came before it."""
    before = snapshot()
    long_title = "Y" * 501
    text = seed_text.replace("John Zedlewski is the director", "John Zedlewski was the director")
    text = text.replace("ML Artifacts Ownership Enforcement\n", f"{long_title}\n", 1)
    with pytest.raises(ProgramFormatError) as error:
        import_text(text)
    assert error.value.line == line_of(text, long_title)
    assert "at most 500 characters" in error.value.message
    assert snapshot() == before


def test_time_zone_of_an_existing_conference_is_respected(db, seed_text):
    Conference.objects.create(name="OpML '20", slug="opml20", time_zone="Europe/Berlin")
    with pytest.raises(ProgramFormatError, match="is in Europe/Berlin"):
        import_text(seed_text)
    assert Session.objects.count() == 0


def test_unreadable_file_is_a_clear_error(db, tmp_path):
    path = tmp_path / "program.txt"
    path.write_bytes(b"\xff\xfe not utf-8")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_program", str(path), conference="opml20")


def test_year_must_be_known(db):
    with pytest.raises(ProgramFormatError, match="--year"):
        parse_program("MLConf Conference Program\n\nTuesday, July 28\n")
    parsed = parse_program(
        "MLConf Conference Program\n\nTuesday, July 28\n\n9:00 am–10:30 am\n\nSession 1: A\n",
        year=2020,
        time_zone="UTC",
    )
    assert parsed.sessions[0].start == datetime(2020, 7, 28, 9, 0, tzinfo=UTC)


def test_times_that_do_not_exist_are_refused():
    text = "X '30 Conference Program\n\nSunday, March 10\n\n2:30 am–3:30 am\n\nSession 1: Night\n"
    with pytest.raises(ProgramFormatError, match="does not exist"):
        parse_program(text, time_zone="America/Los_Angeles")


# --- Author lines -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Yan Yan, Facebook", [("Yan Yan", "Facebook")]),
        ("A B and C D, Org", [("A B", "Org"), ("C D", "Org")]),
        ("A, B, and C, Org, Inc.", [("A", "Org, Inc."), ("B", "Org, Inc."), ("C", "Org, Inc.")]),
        ("Jane Doe, Johnson and Johnson", [("Jane Doe", "Johnson and Johnson")]),
        ("A, X; B and C, Y, Z", [("A", "X"), ("B", "Y, Z"), ("C", "Y, Z")]),
        ("Solo Person", [("Solo Person", None)]),
    ],
)
def test_parse_author_line(line, expected):
    assert [(a.name, a.affiliation) for a in parse_author_line(line, 1)] == expected


@pytest.mark.parametrize(
    "line",
    ["A, Org;; B, Org", "A and B and C, Org", "A, Org; A, Org", "A, X; B, X"],
)
def test_ambiguous_author_lines_are_refused(line):
    with pytest.raises(ProgramFormatError):
        parse_author_line(line, 7)
