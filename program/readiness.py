"""What a conference still lacks before it is published, and the clashes a human must decide on.

Nothing here blocks a save: the admin shows these as warnings and in the readiness report.
Every function runs a fixed number of queries, whatever the size of the program. The report is
the list CHECKS: one small function per check, which the report runs and its page prints, in
order. Whether two sessions overlap, and whether they clash (overlap in the same room), is
decided by the Session model (`overlaps`, `clashes_with`, `overlapping`, `with_room`); whether two
organisations or two people look alike by speakers.models (`affiliation_key`, `person_key`).

"Invited talks": the program has no talk kind, but OpML '20 prints bios only for talks (invited
speakers), never for paper presentations. So a talk counts as a talk rather than a paper when at
least one of its authors has a bio, and its other authors are then expected to have one too.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from itertools import combinations

from django.db.models import Exists, OuterRef, Q

from program.models import Session, Talk
from speakers.models import (
    Affiliation,
    Authorship,
    Speaker,
    affiliation_key,
    duplicate_affiliation_groups,
    duplicate_speaker_groups,
)

# --- Clashes, for the session list and the warnings shown on saving -----------------------------


def session_warnings(session, *, speaker_ids=None, overlaps=True):
    """Human-readable warnings about one session: other sessions of its conference it overlaps
    (unless `overlaps` is false), and its speakers (or only those in `speaker_ids`) who are also
    booked in an overlapping session, of any conference."""
    overlapping = list(
        Session.objects.overlapping(session.start, session.end)
        .exclude(pk=session.pk)
        .select_related("conference")
    )
    warnings = [
        f"{session} overlaps {other} ({other.local_hours}) in the same room"
        + (f" ({other.room})." if other.room else ".")
        for other in overlapping
        if overlaps and other.conference_id == session.conference_id and session.clashes_with(other)
    ]
    clashes = Authorship.objects.filter(
        talk__session__in=[other.pk for other in overlapping],
        speaker__in=Authorship.objects.filter(talk__session=session).values("speaker"),
    )
    if speaker_ids is not None:
        clashes = clashes.filter(speaker__in=speaker_ids)
    clashes = clashes.select_related("speaker", "talk__session__conference").order_by(
        "speaker__name", "talk__session__start", "talk__order"
    )
    warnings += [
        f"{authorship.speaker} is also booked in {authorship.talk.session}"
        + (
            ""
            if authorship.talk.session.conference_id == session.conference_id
            else f" of {authorship.talk.session.conference}"
        )
        + f" (“{authorship.talk}”), which overlaps {session}."
        for authorship in clashes
    ]
    return warnings


def with_clash_flags(sessions):
    """Annotate sessions with `overlaps` (another session of the conference overlaps it in the
    same room: Session.clashes_with) and `double_booked` (one of its speakers is an author in an
    overlapping session, in any room), in SQL."""
    others = Session.objects.overlapping(OuterRef("start"), OuterRef("end")).exclude(
        pk=OuterRef("pk")
    )
    return sessions.annotate(room_name=Session.room_expression()).annotate(
        overlaps=Exists(
            others.filter(conference=OuterRef("conference"))
            .with_room()
            .filter(room_name=OuterRef("room_name"))
        ),
        double_booked=Exists(
            Authorship.objects.filter(
                Session.overlap_condition(OuterRef("start"), OuterRef("end"), "talk__session__"),
                speaker__authorships__talk__session=OuterRef("pk"),
            ).exclude(talk__session=OuterRef("pk"))
        ),
    )


# --- The readiness report ---------------------------------------------------------------------


class ConferenceProgram:
    """What the checks read, loaded once and shared by them: the conference's sessions (one
    query) and its talks with their authors (two queries)."""

    def __init__(self, conference):
        self.conference = conference

    @cached_property
    def sessions(self):
        return list(
            self.conference.sessions.select_related("conference", "day").annotate(
                has_talks=Exists(Talk.objects.filter(session=OuterRef("pk")))
            )
        )

    @cached_property
    def talks(self):
        return list(
            Talk.objects.filter(session__conference=self.conference)
            .with_speakers()
            .order_by("session__start", "session__number", "order", "pk")
        )


# One function per check: it takes the ConferenceProgram and returns the items it finds, in a
# fixed number of queries of its own (none unless it says so). CHECKS lists them once.


def sessions_without_slack(program):
    return [s for s in program.sessions if not s.slack_url]


def empty_sessions(program):
    return [s for s in program.sessions if not s.has_talks]


def sessions_without_talk_times(program):
    """Sessions with several talks, none of which has times of its own: every channel then
    gives each talk the session's whole slot (program/events.py), which is true but vague."""
    timed = {t.session_id for t in program.talks if t.start is not None}
    counts = defaultdict(int)
    for talk in program.talks:
        counts[talk.session_id] += 1
    return [s for s in program.sessions if counts[s.pk] > 1 and s.pk not in timed]


def talks_without_abstract(program):
    return [t for t in program.talks if not t.abstract.strip()]


def talks_without_media(program):
    return [t for t in program.talks if not t.media_url]


def speakers_without_bio(program):
    """(speaker, talk) pairs: authors without a bio of talks where another author has one (an
    invited talk, see the module's docstring)."""
    found = []
    for talk in program.talks:
        authorships = talk.authorships.all()
        if any(a.speaker.bio.strip() for a in authorships):
            found += [(a.speaker, talk) for a in authorships if not a.speaker.bio.strip()]
    return found


def duplicate_affiliations(program):
    """Groups of look-alike affiliations, among all of them, that the conference uses at least
    one of (two queries): merging is across conferences, but only this one's are its business."""
    used = Affiliation.objects.filter(
        Q(authorships__talk__session__conference=program.conference)
        | Q(speakers__authorships__talk__session__conference=program.conference)
    ).values("pk")
    keys_used = {affiliation_key(a.name) for a in Affiliation.objects.filter(pk__in=used)}
    return [
        group
        for group in duplicate_affiliation_groups(Affiliation.objects.all())
        if affiliation_key(group[0].name) in keys_used
    ]


def duplicate_speakers(program):
    """Groups of look-alike people ("Grace Hopper", "Grace M. Hopper"), among everyone, with at
    least one speaker of the conference (one query): merge candidates, for a human to judge."""
    ours = {a.speaker_id for talk in program.talks for a in talk.authorships.all()}
    return [
        group
        for group in duplicate_speaker_groups(Speaker.objects.only("pk", "name", "slug"))
        if any(speaker.pk in ours for speaker in group)
    ]


def overlapping_sessions(program):
    """Sessions of the conference that overlap another of its sessions in the same room, as
    (a, b) pairs; parallel sessions in different rooms are the program's design."""
    return [(a, b) for a, b in combinations(program.sessions, 2) if a.clashes_with(b)]


@dataclass
class DoubleBooking:
    speaker: object
    sessions: tuple  # two overlapping sessions the speaker is an author in


def double_bookings(program):
    """Speakers who are authors in two overlapping sessions of the conference (one query)."""
    authorships = Authorship.objects.filter(
        talk__session__conference=program.conference
    ).select_related("speaker", "talk__session__conference")
    sessions_of = defaultdict(dict)
    for authorship in authorships:
        session = authorship.talk.session
        sessions_of[authorship.speaker][session.pk] = session
    found = []
    for speaker, sessions in sessions_of.items():
        ordered = sorted(sessions.values(), key=lambda s: (s.start, s.number))
        found += [
            DoubleBooking(speaker, (a, b)) for a, b in combinations(ordered, 2) if a.overlaps(b)
        ]
    return sorted(found, key=lambda d: (d.speaker.name, d.sessions[0].start))


@dataclass(frozen=True)
class Check:
    """One question of the report: `find` gives the items still missing; `kind` tells the
    template what they are (each kind is shown its own way)."""

    find: Callable
    kind: str
    title: str
    explanation: str = ""
    information: bool = False  # worth knowing, but nothing is missing: not counted

    @property
    def name(self):
        return self.find.__name__


# The report's checks, in the order it prints them.
CHECKS = (
    Check(
        sessions_without_slack,
        "session",
        "Sessions without a Slack link",
        "Attendees are invited to each session's Slack channel.",
    ),
    Check(empty_sessions, "session", "Sessions without talks"),
    Check(talks_without_abstract, "talk", "Talks without an abstract"),
    Check(
        talks_without_media,
        "talk",
        "Talks without a media link",
        "The program promises “Available Media”; give each talk its media URL.",
    ),
    Check(
        speakers_without_bio,
        "speaker",
        "Speakers of invited talks without a bio",
        "A talk counts as invited (a talk, not a paper presentation) when at least one of its "
        "authors has a bio; its other authors should have one too.",
    ),
    Check(
        duplicate_affiliations,
        "affiliations",
        "Affiliations that look like duplicates",
        "Names that differ only in case, punctuation or a legal form (“Inc.”). Merge them from "
        "the affiliation list.",
    ),
    Check(
        duplicate_speakers,
        "speakers",
        "Speakers who may be one person",
        "Names that differ only in initials, middle names, accents or case (“Grace Hopper”, "
        "“Grace M. Hopper”). If they are one person, merge them from the speaker list.",
    ),
    Check(
        overlapping_sessions,
        "overlap",
        "Sessions at the same time in the same room",
        "Sessions in different rooms may run in parallel; a session without a location is in "
        "the conference's default location.",
    ),
    Check(
        sessions_without_talk_times,
        "session",
        "For information: sessions whose talks have no times of their own",
        "Calendars, schedule apps and the API give each of their talks the session's whole "
        "slot. To give talks their own times, select the sessions in the session list and "
        "choose “Propose talk times (even split)…”, then review and save.",
        information=True,
    ),
    Check(double_bookings, "booking", "Speakers booked in two overlapping sessions"),
)


class ReadinessReport:
    """What a conference lacks before publishing: `problems` holds (check, items) for every
    check in CHECKS, in order; `report.<check name>` gives one check's items."""

    def __init__(self, conference, checks=CHECKS):
        self.conference = conference
        self.program = ConferenceProgram(conference)
        self.problems = [(check, check.find(self.program)) for check in checks]
        self.found = {check.name: items for check, items in self.problems}

    def __getattr__(self, name):
        # Only called for names that are not attributes: a check's name (`talks_without_media`).
        try:
            return self.__dict__["found"][name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def session_count(self):
        return len(self.program.sessions)

    @property
    def talk_count(self):
        return len(self.program.talks)

    @property
    def draft_sessions(self):
        return [s for s in self.program.sessions if not s.is_published]

    @property
    def draft_talks(self):
        return [t for t in self.program.talks if not t.is_published]

    @property
    def missing_count(self):
        return sum(len(items) for check, items in self.problems if not check.information)

    @property
    def is_ready(self):
        return self.missing_count == 0


def readiness_report(conference):
    """Run every check on `conference`, in a fixed number of queries whatever its size."""
    return ReadinessReport(conference)
