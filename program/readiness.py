"""What a conference still lacks before it is published, and the clashes a human must decide on.

Nothing here blocks a save: the admin shows these as warnings and in the readiness report.
Every function runs a fixed number of queries, whatever the size of the program.

"Invited talks": the program has no talk kind, but OpML '20 prints bios only for talks (invited
speakers), never for paper presentations. So a talk counts as a talk rather than a paper when at
least one of its authors has a bio, and its other authors are then expected to have one too.
"""

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from program.models import Session, Talk
from speakers.models import Affiliation, Authorship

# Words that do not tell two organisations apart: legal forms and a leading "The".
ORGANISATION_NOISE = frozenset(
    {"inc", "incorporated", "llc", "ltd", "limited", "corp", "corporation", "co", "company",
     "gmbh", "ag", "sa", "plc", "ab", "bv", "the"}
)  # fmt: skip


def affiliation_key(name):
    """What stays of an organisation's name once case, accents, punctuation and legal forms are
    dropped: "Intuit", "Intuit Inc." and "INTUIT, inc" all give "intuit"."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    words = re.findall(r"[a-z0-9]+", text.replace("&", " and "))
    kept = [word for word in words if word not in ORGANISATION_NOISE]
    return " ".join(kept or words)


def duplicate_affiliation_groups(affiliations):
    """Groups of two or more affiliations (from `affiliations`) that look like one organisation,
    each sorted by name, the groups sorted by their first name."""
    groups = defaultdict(list)
    for affiliation in affiliations:
        groups[affiliation_key(affiliation.name)].append(affiliation)
    return sorted(
        (sorted(group, key=lambda a: a.name) for group in groups.values() if len(group) > 1),
        key=lambda group: group[0].name.casefold(),
    )


def overlapping_sessions(conference_id):
    """Sessions of the conference that overlap another of its sessions, as (a, b) pairs."""
    sessions = list(
        Session.objects.filter(conference_id=conference_id).select_related("conference", "day")
    )
    return [(a, b) for a, b in combinations(sessions, 2) if a.start < b.end and b.start < a.end]


@dataclass
class DoubleBooking:
    speaker: object
    sessions: tuple  # two overlapping sessions the speaker is an author in


def double_bookings(conference_id):
    """Speakers who are authors in two overlapping sessions of the conference."""
    authorships = Authorship.objects.filter(
        talk__session__conference_id=conference_id
    ).select_related("speaker", "talk__session__conference")
    sessions_of = defaultdict(dict)
    for authorship in authorships:
        session = authorship.talk.session
        sessions_of[authorship.speaker][session.pk] = session
    found = []
    for speaker, sessions in sessions_of.items():
        ordered = sorted(sessions.values(), key=lambda s: (s.start, s.number))
        found += [
            DoubleBooking(speaker, (a, b))
            for a, b in combinations(ordered, 2)
            if a.start < b.end and b.start < a.end
        ]
    return sorted(found, key=lambda d: (d.speaker.name, d.sessions[0].start))


def session_warnings(session, *, speaker_ids=None, overlaps=True):
    """Human-readable warnings about one session: other sessions of its conference it overlaps
    (unless `overlaps` is false), and its speakers (or only those in `speaker_ids`) who are also
    booked in an overlapping session, of any conference."""
    overlapping = list(
        Session.objects.filter(start__lt=session.end, end__gt=session.start)
        .exclude(pk=session.pk)
        .select_related("conference")
    )
    tz = session.conference.tz
    warnings = [
        f"{session} overlaps {other} "
        f"({time_range(other.start, other.end, tz)} {session.conference.time_zone})."
        for other in overlapping
        if overlaps and other.conference_id == session.conference_id
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


def time_range(start, end, tz):
    return f"{timezone.localtime(start, tz):%H:%M}–{timezone.localtime(end, tz):%H:%M}"


def with_clash_flags(sessions):
    """Annotate sessions with `overlaps` (another session of the conference overlaps it) and
    `double_booked` (one of its speakers is an author in an overlapping session), in SQL."""
    others = Session.objects.filter(start__lt=OuterRef("end"), end__gt=OuterRef("start")).exclude(
        pk=OuterRef("pk")
    )
    return sessions.annotate(
        overlaps=Exists(others.filter(conference=OuterRef("conference"))),
        double_booked=Exists(
            Authorship.objects.filter(
                talk__session__start__lt=OuterRef("end"),
                talk__session__end__gt=OuterRef("start"),
                speaker__authorships__talk__session=OuterRef("pk"),
            ).exclude(talk__session=OuterRef("pk"))
        ),
    )


@dataclass
class ReadinessReport:
    """What is missing in a conference before publishing it; each list names the objects."""

    conference: object
    sessions_without_slack: list = field(default_factory=list)
    talks_without_abstract: list = field(default_factory=list)
    talks_without_media: list = field(default_factory=list)
    speakers_without_bio: list = field(default_factory=list)  # (speaker, talk) pairs
    duplicate_affiliations: list = field(default_factory=list)  # groups of affiliations
    overlapping_sessions: list = field(default_factory=list)  # (session, session) pairs
    double_bookings: list = field(default_factory=list)
    draft_sessions: list = field(default_factory=list)
    draft_talks: list = field(default_factory=list)
    empty_sessions: list = field(default_factory=list)
    session_count: int = 0
    talk_count: int = 0

    @property
    def problems(self):
        """(kind, title, explanation, items) for every check, in the order the report prints
        them; `kind` tells what the items are (the template shows each kind its own way)."""
        return [
            (
                "session",
                "Sessions without a Slack link",
                "Attendees are invited to each session's Slack channel.",
                self.sessions_without_slack,
            ),
            ("session", "Sessions without talks", "", self.empty_sessions),
            ("talk", "Talks without an abstract", "", self.talks_without_abstract),
            (
                "talk",
                "Talks without a media link",
                "The program promises “Available Media”; give each talk its media URL.",
                self.talks_without_media,
            ),
            (
                "speaker",
                "Speakers of invited talks without a bio",
                "A talk counts as invited (a talk, not a paper presentation) when at least one "
                "of its authors has a bio; its other authors should have one too.",
                self.speakers_without_bio,
            ),
            (
                "affiliations",
                "Affiliations that look like duplicates",
                "Names that differ only in case, punctuation or a legal form (“Inc.”). Merge "
                "them from the affiliation list.",
                self.duplicate_affiliations,
            ),
            ("overlap", "Overlapping sessions", "", self.overlapping_sessions),
            (
                "booking",
                "Speakers booked in two overlapping sessions",
                "",
                self.double_bookings,
            ),
        ]

    @property
    def missing_count(self):
        return sum(len(items) for *_, items in self.problems)

    @property
    def is_ready(self):
        return self.missing_count == 0


def readiness_report(conference):
    """Check everything the issue lists for `conference`, in a fixed number of queries."""
    report = ReadinessReport(conference=conference)
    sessions = list(
        conference.sessions.select_related("conference", "day").annotate(
            has_talks=Exists(Talk.objects.filter(session=OuterRef("pk")))
        )
    )
    report.session_count = len(sessions)
    report.sessions_without_slack = [s for s in sessions if not s.slack_url]
    report.empty_sessions = [s for s in sessions if not s.has_talks]
    report.draft_sessions = [s for s in sessions if not s.is_published]

    talks = list(
        Talk.objects.filter(session__conference=conference)
        .with_speakers()
        .order_by("session__start", "session__number", "order", "pk")
    )
    report.talk_count = len(talks)
    report.talks_without_abstract = [t for t in talks if not t.abstract.strip()]
    report.talks_without_media = [t for t in talks if not t.media_url]
    report.draft_talks = [t for t in talks if not t.is_published]
    for talk in talks:
        authorships = talk.authorships.all()
        if any(a.speaker.bio.strip() for a in authorships):
            report.speakers_without_bio += [
                (a.speaker, talk) for a in authorships if not a.speaker.bio.strip()
            ]

    used = Affiliation.objects.filter(
        Q(authorships__talk__session__conference=conference)
        | Q(speakers__authorships__talk__session__conference=conference)
    ).values("pk")
    keys_used = {affiliation_key(a.name) for a in Affiliation.objects.filter(pk__in=used)}
    report.duplicate_affiliations = [
        group
        for group in duplicate_affiliation_groups(Affiliation.objects.all())
        if affiliation_key(group[0].name) in keys_used
    ]
    report.overlapping_sessions = overlapping_sessions(conference.pk)
    report.double_bookings = double_bookings(conference.pk)
    return report
