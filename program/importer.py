"""Read a program printed in USENIX's text format (the OpML '20 seed's) into the models.

Two steps, so that the command line and the admin share one code path:

* `parse_program(text)` turns the text into plain dataclasses, or raises `ProgramFormatError`
  naming the offending line. It touches no database.
* `apply_program(parsed, ...)` writes them in one transaction, matching what is already there so
  that a second run changes nothing and an edited text updates records in place. It returns an
  `ImportReport` of what it created, updated, left unchanged and could not match.

The format, paragraph by paragraph (paragraphs are separated by blank lines):

    OpML '20 Conference Program                       title: "<conference name> Conference Program"
    Join the USENIX OpML Slack workspace …            intro paragraphs
    All the times listed below are in … (PDT).        time zone note
    Tuesday, July 28                                  day
    9:00 am–10:30 am                                  session time
    Session 1: Deep Learning and …                    session number and title
    Deep Learning is a critical …                     description paragraphs
    Join the discussion on the Session 1 Slack channel.
    DLSpec: A Deep Learning Task Exchange …           talk title
    Abdul Dakkak and Cheng Li, University of …; …     author line
    Available Media
    Deep Learning (DL) innovations are …              abstract paragraphs
    John Zedlewski, NVIDIA                            bio heading (an author of the talk)
    John Zedlewski is the director of …               bio paragraphs
"""

import calendar
import re
import uuid
import zoneinfo
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from program.models import Conference, Day, Session, Talk
from speakers.models import Affiliation, Authorship, Speaker, join_names

# Namespace for the UIDs of imported sessions and talks: importing the same program into an
# empty database gives the same UIDs again, so calendar subscribers never see duplicates.
UID_NAMESPACE = uuid.UUID("6f3d7c1e-2b7a-4c55-9a52-0b5e1f6c0d20")

MEDIA_MARKER = "Available Media"
WEEKDAYS = list(calendar.day_name)
MONTHS = list(calendar.month_name)[1:]

TITLE_RE = re.compile(r"^(?P<name>.+?) Conference Program$")
TIME_NOTE_RE = re.compile(r"^All (?:the )?times .*\((?P<abbr>[A-Z]{2,6})\)\.?$")
DAY_RE = re.compile(
    rf"^(?P<weekday>{'|'.join(WEEKDAYS)}), (?P<month>{'|'.join(MONTHS)}) (?P<day>\d{{1,2}})$"
)
TIME_RANGE_RE = re.compile(
    r"^(?P<start>\d{1,2}:\d{2}\s?[ap]m)\s*[–—-]\s*(?P<end>\d{1,2}:\d{2}\s?[ap]m)$", re.IGNORECASE
)
SESSION_RE = re.compile(r"^Session (?P<number>\d+): (?P<title>.+)$")
SLACK_RE = re.compile(
    r"^Join the discussion (?:on|at) the Session (?P<number>\d+) Slack channel\.?$"
)
YEAR_IN_NAME_RE = re.compile(r"'(?P<yy>\d{2})\b|\b(?P<yyyy>(?:19|20)\d{2})\b")

# Zone abbreviations a program may name in its time note, and the IANA zone each stands for.
ZONE_FOR_ABBREVIATION = {
    "PDT": "America/Los_Angeles",
    "PST": "America/Los_Angeles",
    "MDT": "America/Denver",
    "MST": "America/Denver",
    "CDT": "America/Chicago",
    "CST": "America/Chicago",
    "EDT": "America/New_York",
    "EST": "America/New_York",
    "UTC": "UTC",
}


class ProgramFormatError(ValueError):
    """The text does not follow the program format; `line` is 1-based."""

    def __init__(self, line, message):
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


# --- Parsed program -----------------------------------------------------------------------------


@dataclass
class ParsedAuthor:
    name: str  # as printed in the byline
    affiliation: str | None
    speaker_name: str = ""  # the person's full name, from their bio heading when it differs
    bio: str = ""
    bio_affiliation: str | None = None
    bio_line: int | None = None


@dataclass
class ParsedTalk:
    line: int
    title: str
    authors: list[ParsedAuthor]
    abstract: str = ""
    has_media: bool = True


@dataclass
class ParsedSession:
    line: int
    number: int
    title: str
    day: date
    start: datetime
    end: datetime
    description: str = ""
    slack_label: str = ""
    talks: list[ParsedTalk] = field(default_factory=list)


@dataclass
class ParsedProgram:
    conference_name: str
    intro: str
    time_zone_note: str
    time_zone: str
    sessions: list[ParsedSession]
    notes: list[str] = field(default_factory=list)  # what the parser matched by inference


@dataclass
class Paragraph:
    line: int
    text: str


def split_paragraphs(text):
    """Blank-line separated paragraphs, each with the number of its first line; a paragraph
    wrapped over several lines is joined with spaces."""
    paragraphs, current, first_line = [], [], None
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if stripped:
            if not current:
                first_line = number
            current.append(stripped)
        elif current:
            paragraphs.append(Paragraph(first_line, " ".join(current)))
            current = []
    if current:
        paragraphs.append(Paragraph(first_line, " ".join(current)))
    return paragraphs


def join_paragraphs(paragraphs):
    return "\n\n".join(paragraph.text for paragraph in paragraphs)


# --- Author lines -------------------------------------------------------------------------------


def split_names_and_affiliation(group, line):
    """Split "A, B, and C, Org" into (["A", "B", "C"], "Org"); the organisation may itself contain
    commas ("University of California, Merced"). Names end at the element that carries the "and";
    without an "and" there is one name."""
    parts = [part.strip() for part in group.split(",")]
    if " and " in parts[0]:
        names = [name.strip() for name in parts[0].split(" and ")]
        rest = parts[1:]
    else:
        last = next((i for i, part in enumerate(parts) if i >= 2 and part.startswith("and ")), None)
        if last is None:
            names, rest = [parts[0]], parts[1:]
        else:
            names = [*parts[:last], parts[last].removeprefix("and ").strip()]
            rest = parts[last + 1 :]
    if any(not name for name in names):
        raise ProgramFormatError(line, f"an author's name is missing in “{group}”.")
    dangling = [n for n in names if n == "and" or n.startswith("and ") or n.endswith(" and")]
    if dangling:
        raise ProgramFormatError(
            line, f"cannot read the author line unambiguously: “{dangling[0]}” is not a name."
        )
    affiliation = ", ".join(rest).strip() or None
    return names, affiliation


def parse_author_line(text, line):
    """Parse "A and B, Org; C, Other Org" into ParsedAuthors, in order."""
    authors = []
    for group in text.split(";"):
        group = group.strip()
        if not group:
            raise ProgramFormatError(line, "the author line has an empty group between “;”.")
        names, affiliation = split_names_and_affiliation(group, line)
        authors.extend(ParsedAuthor(name=name, affiliation=affiliation) for name in names)
    # The page prints the byline back from these parts: make sure it comes out the same.
    printed = []
    for author in authors:
        if printed and printed[-1][0] == author.affiliation:
            printed[-1][1].append(author.name)
        else:
            printed.append((author.affiliation, [author.name]))
    reprinted = "; ".join(
        f"{join_names(names)}, {affiliation}" if affiliation else join_names(names)
        for affiliation, names in printed
    )
    if reprinted != text:
        raise ProgramFormatError(
            line,
            f"cannot read the author line unambiguously: read it as “{reprinted}”. Write names "
            "as “A, B, and C, Organisation; D, Other Organisation”.",
        )
    duplicates = [name for name, count in Counter(a.name for a in authors).items() if count > 1]
    if duplicates:
        raise ProgramFormatError(line, f"{duplicates[0]} is listed twice in the author line.")
    return authors


def surname(name):
    return name.split()[-1].casefold() if name.split() else ""


def match_bio_heading(text, authors):
    """The author a bio heading "Name, Organisation" introduces, or None if `text` is not one.

    A heading names an author of the talk exactly, or (as with "Mikhail Arov" for the byline's
    "Mike Arov") shares the surname and organisation of exactly one author."""
    name, sep, affiliation = text.partition(", ")
    if not sep or len(text) > 200 or len(affiliation.split()) > 12:
        return None
    for author in authors:
        if author.name == name:
            return author
    candidates = [
        author
        for author in authors
        if author.affiliation == affiliation and surname(author.name) == surname(name)
    ]
    return candidates[0] if len(candidates) == 1 else None


# --- The parser ---------------------------------------------------------------------------------


def parse_clock(value):
    """time(9, 0) from "9:00 am", time(13, 30) from "1:30pm"."""
    digits, meridiem = value.lower().replace(" ", "")[:-2], value.lower()[-2:]
    hour, minute = (int(part) for part in digits.split(":"))
    if not 1 <= hour <= 12 or minute > 59:
        raise ValueError(value)
    return time(hour % 12 + (12 if meridiem == "pm" else 0), minute)


def localize(day, clock, tz, line):
    """An aware datetime for a wall-clock time on a day in `tz`, refusing times that do not
    exist (skipped by a DST change)."""
    local = datetime.combine(day, clock, tzinfo=tz)
    if local.astimezone(zoneinfo.ZoneInfo("UTC")).astimezone(tz).replace(tzinfo=None) != (
        datetime.combine(day, clock)
    ):
        raise ProgramFormatError(line, f"{clock:%H:%M} does not exist on {day} in {tz.key}.")
    return local


def year_from_name(name):
    """2020 from "OpML '20"; None when the name carries no year."""
    match = YEAR_IN_NAME_RE.search(name)
    if not match:
        return None
    return int(match["yyyy"]) if match["yyyy"] else 2000 + int(match["yy"])


class ProgramParser:
    """Walks the paragraphs once, keeping the current day and session."""

    def __init__(self, text, *, year=None, time_zone=None):
        self.paragraphs = split_paragraphs(text)
        self.year = year
        self.time_zone = time_zone
        self.notes = []

    def error(self, index, message):
        line = self.paragraphs[index].line if index < len(self.paragraphs) else self.last_line
        raise ProgramFormatError(line, message)

    @property
    def last_line(self):
        return self.paragraphs[-1].line if self.paragraphs else 1

    def text(self, index):
        return self.paragraphs[index].text if index < len(self.paragraphs) else None

    def starts_talk(self, index):
        return self.text(index + 2) == MEDIA_MARKER

    def starts_block(self, index):
        """Whether paragraph `index` opens a day, a session time or a talk."""
        text = self.text(index)
        return text is None or bool(
            DAY_RE.match(text) or TIME_RANGE_RE.match(text) or self.starts_talk(index)
        )

    def parse(self):
        if not self.paragraphs:
            raise ProgramFormatError(1, "the file is empty.")
        title = TITLE_RE.match(self.paragraphs[0].text)
        if not title:
            self.error(0, "the first line must be the title, “<Conference> Conference Program”.")
        name = title["name"]
        if self.year is None:
            self.year = year_from_name(name)
            if self.year is None:
                self.error(0, f"cannot tell the year from “{name}”: give it with --year.")

        index, intro, note, abbreviation = 1, [], "", None
        while index < len(self.paragraphs) and not DAY_RE.match(self.text(index)):
            match = TIME_NOTE_RE.match(self.text(index))
            if match:
                note, abbreviation = self.text(index), match["abbr"]
            else:
                intro.append(self.paragraphs[index])
            index += 1
        if index == len(self.paragraphs):
            self.error(index, "no day heading such as “Tuesday, July 28” was found.")
        self.time_zone = self.time_zone or ZONE_FOR_ABBREVIATION.get(abbreviation)
        if not self.time_zone:
            self.error(index, "cannot tell the program's time zone: give it with --time-zone.")
        self.tz = zoneinfo.ZoneInfo(self.time_zone)

        sessions = []
        while index < len(self.paragraphs):
            index = self.parse_day(index, sessions)
        if abbreviation:
            for session in sessions:
                actual = session.start.tzname()
                if actual != abbreviation:
                    raise ProgramFormatError(
                        session.line,
                        f"the program says its times are in {abbreviation}, but in "
                        f"{self.time_zone} Session {session.number} falls in {actual}.",
                    )
        numbers = Counter(session.number for session in sessions)
        for session in sessions:
            if numbers[session.number] > 1:
                raise ProgramFormatError(session.line, f"Session {session.number} appears twice.")
        self.check_talk_titles(sessions)
        return ParsedProgram(
            conference_name=name,
            intro=join_paragraphs(intro),
            time_zone_note=note,
            time_zone=self.time_zone,
            sessions=sessions,
            notes=self.notes,
        )

    def parse_day(self, index, sessions):
        match = DAY_RE.match(self.text(index))
        if not match:
            self.error(
                index, f"expected a day such as “Tuesday, July 28”, found “{self.text(index)}”."
            )
        try:
            day = date(self.year, MONTHS.index(match["month"]) + 1, int(match["day"]))
        except ValueError:
            self.error(index, f"“{self.text(index)}” is not a date in {self.year}.")
        if WEEKDAYS[day.weekday()] != match["weekday"]:
            self.error(
                index,
                f"{match['month']} {day.day}, {self.year} is a {WEEKDAYS[day.weekday()]}, "
                f"not a {match['weekday']}.",
            )
        index += 1
        if self.text(index) is None or not TIME_RANGE_RE.match(self.text(index)):
            self.error(index, "expected the session's time (“9:00 am–10:30 am”) after the day.")
        while self.text(index) is not None and TIME_RANGE_RE.match(self.text(index)):
            session, index = self.parse_session(index, day)
            sessions.append(session)
        return index

    def parse_session(self, index, day):
        times = TIME_RANGE_RE.match(self.text(index))
        time_line = index
        try:
            start_clock, end_clock = parse_clock(times["start"]), parse_clock(times["end"])
        except ValueError:
            self.error(index, f"“{self.text(index)}” is not a time range such as 9:00 am–10:30 am.")
        start = localize(day, start_clock, self.tz, self.paragraphs[index].line)
        end = localize(day, end_clock, self.tz, self.paragraphs[index].line)
        if end <= start:
            self.error(index, "the session must end after it starts.")
        index += 1
        heading = SESSION_RE.match(self.text(index) or "")
        if not heading:
            self.error(index, "expected a session heading such as “Session 1: Title”.")
        session = ParsedSession(
            line=self.paragraphs[time_line].line,
            number=int(heading["number"]),
            title=heading["title"],
            day=day,
            start=start,
            end=end,
        )
        index += 1
        description = []
        while not self.starts_block(index):
            slack = SLACK_RE.match(self.text(index))
            if slack:
                if int(slack["number"]) != session.number:
                    self.error(
                        index,
                        f"this Slack line names Session {slack['number']}, not {session.number}.",
                    )
                session.slack_label = self.text(index)
            elif session.slack_label:
                self.error(index, "the session's description must come before its Slack line.")
            else:
                description.append(self.paragraphs[index])
            index += 1
        session.description = join_paragraphs(description)
        while self.text(index) is not None and self.starts_talk(index):
            talk, index = self.parse_talk(index)
            session.talks.append(talk)
        return session, index

    def parse_talk(self, index):
        title, byline = self.paragraphs[index], self.paragraphs[index + 1]
        authors = parse_author_line(byline.text, byline.line)
        talk = ParsedTalk(line=title.line, title=title.text, authors=authors)
        index += 3
        abstract, bio_author, bio = [], None, []
        while not self.starts_block(index):
            author = match_bio_heading(self.text(index), authors)
            if author is not None and (abstract or bio_author):
                self.finish_bio(bio_author, bio)
                if author.bio_line is not None:
                    self.error(index, f"{author.name} has a second bio in this talk.")
                bio_author, bio = author, []
                author.bio_line = self.paragraphs[index].line
                heading_name, _, author.bio_affiliation = self.text(index).partition(", ")
                if heading_name != author.name:
                    author.speaker_name = heading_name
                    self.notes.append(
                        f"line {author.bio_line}: the bio of “{heading_name}” is taken as that of "
                        f"“{author.name}” ({author.affiliation}) in “{talk.title}”."
                    )
            elif bio_author:
                bio.append(self.paragraphs[index])
            else:
                abstract.append(self.paragraphs[index])
            index += 1
        self.finish_bio(bio_author, bio)
        talk.abstract = join_paragraphs(abstract)
        return talk, index

    def finish_bio(self, author, paragraphs):
        if author is None:
            return
        if not paragraphs:
            raise ProgramFormatError(author.bio_line, f"the bio of {author.name} is empty.")
        author.bio = join_paragraphs(paragraphs)

    def check_talk_titles(self, sessions):
        seen = {}
        for session in sessions:
            for talk in session.talks:
                if talk.title in seen:
                    raise ProgramFormatError(
                        talk.line,
                        f"the talk “{talk.title}” already appears on line {seen[talk.title]}.",
                    )
                seen[talk.title] = talk.line


def parse_program(text, *, year=None, time_zone=None):
    """Parse program text; raises ProgramFormatError naming the offending line."""
    return ProgramParser(text, year=year, time_zone=time_zone).parse()


# --- Writing it -----------------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What an import did, per model: created and updated objects by name, unchanged counts,
    and what it could not match (kept as it was)."""

    created: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    updated: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    unchanged: Counter = field(default_factory=Counter)
    unmatched: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False

    MODELS = ("conference", "day", "session", "talk", "affiliation", "speaker", "authorship")

    def record(self, model, obj, outcome):
        if outcome == "created":
            self.created[model].append(str(obj))
        elif outcome == "updated":
            self.updated[model].append(str(obj))
        else:
            self.unchanged[model] += 1

    @property
    def changed(self):
        return any(self.created.values()) or any(self.updated.values())

    def summary_rows(self):
        """(model, created, updated, unchanged) for every model, in a fixed order."""
        return [
            (model, len(self.created[model]), len(self.updated[model]), self.unchanged[model])
            for model in self.MODELS
        ]

    def lines(self, verbose=False):
        """A plain-text account of the import, for the command line."""
        out = []
        for model, created, updated, unchanged in self.summary_rows():
            out.append(
                f"{model:<12} created {created:>3}  updated {updated:>3}  unchanged {unchanged:>3}"
            )
            if verbose:
                out += [f"  + {name}" for name in self.created[model]]
                out += [f"  ~ {name}" for name in self.updated[model]]
        out += [f"not matched: {item}" for item in self.unmatched]
        out += [f"note: {item}" for item in self.notes]
        if self.dry_run:
            out.append("dry run: nothing was written.")
        return out


def unique_slug(model, text, *, exclude_pk=None, max_length=100):
    """A slug for `text` that no other row of `model` uses ("name", "name-2", …)."""
    base = slugify(text)[:max_length].rstrip("-") or model._meta.model_name
    slug, counter = base, 2
    taken = model.objects.exclude(pk=exclude_pk) if exclude_pk else model.objects.all()
    while taken.filter(slug=slug).exists():
        slug = f"{base}-{counter}"
        counter += 1
    return slug


def update_fields(obj, values):
    """Set `values` on `obj`; returns whether anything changed."""
    changed = False
    for name, value in values.items():
        model_field = obj._meta.get_field(name)
        new = value.pk if model_field.is_relation and value is not None else value
        if getattr(obj, model_field.attname) != new:
            setattr(obj, name, value)
            changed = True
    return changed


class ProgramWriter:
    """Writes a ParsedProgram into a conference, matching existing rows (see `apply_program`)."""

    def __init__(self, parsed, conference_slug, *, publish, report):
        self.parsed = parsed
        self.conference_slug = conference_slug
        self.publish = publish
        self.report = report
        self.affiliations = {}

    def save(self, model_name, obj, values, *, line, create_values=None):
        """Create `obj` (unsaved) or update it with `values`, recording the outcome. A value the
        model refuses is reported against the file's `line`."""
        if obj.pk is None:
            update_fields(obj, {**values, **(create_values or {})})
            outcome = "created"
        elif update_fields(obj, values):
            outcome = "updated"
        else:
            outcome = "unchanged"
        if outcome != "unchanged":
            try:
                obj.full_clean()
            except ValidationError as error:
                messages = "; ".join(
                    f"{name}: {' '.join(errors)}" for name, errors in error.message_dict.items()
                )
                raise ProgramFormatError(line, f"{model_name} “{obj}”: {messages}") from error
            obj.save()
        self.report.record(model_name, obj, outcome)
        return obj

    def import_uid(self, model, key):
        """The UID a new row gets: derived from what identifies it in the program, so importing
        into an empty database gives the same UIDs again; random if a row renamed or renumbered
        in the admin already carries it."""
        uid = uuid.uuid5(UID_NAMESPACE, f"{self.conference.slug}/{key}")
        return uuid.uuid4() if model.objects.filter(uid=uid).exists() else uid

    def write(self):
        parsed = self.parsed
        conference = Conference.objects.filter(slug=self.conference_slug).first()
        if conference and conference.time_zone != parsed.time_zone:
            raise ProgramFormatError(
                1,
                f"{conference} is in {conference.time_zone}, but the program's times are "
                f"in {parsed.time_zone}.",
            )
        conference = self.save(
            "conference",
            conference or Conference(slug=self.conference_slug),
            {
                "name": parsed.conference_name,
                "intro": parsed.intro,
                "time_zone_note": parsed.time_zone_note,
            },
            line=1,
            create_values={"time_zone": parsed.time_zone, "is_published": self.publish},
        )
        self.conference = conference
        days = self.write_days()
        sessions = self.write_sessions(days)
        self.write_talks(sessions, self.write_speakers())
        self.report.notes.extend(parsed.notes)
        return conference

    def write_days(self):
        existing = {day.date: day for day in self.conference.days.all()}
        days = {}
        for session in self.parsed.sessions:
            if session.day not in days:
                day = existing.get(session.day) or Day(conference=self.conference, date=session.day)
                days[session.day] = self.save("day", day, {}, line=session.line)
        return days

    def write_sessions(self, days):
        existing = {session.number: session for session in self.conference.sessions.all()}
        sessions = {}
        for order, parsed in enumerate(self.parsed.sessions):
            session = existing.pop(parsed.number, None) or Session(
                conference=self.conference,
                number=parsed.number,
                uid=self.import_uid(Session, f"session/{parsed.number}"),
            )
            sessions[parsed.number] = self.save(
                "session",
                session,
                {
                    "day": days[parsed.day],
                    "title": parsed.title,
                    "description": parsed.description,
                    "start": parsed.start,
                    "end": parsed.end,
                    "slack_label": parsed.slack_label,
                    "order": order,
                },
                line=parsed.line,
                create_values={"is_published": self.publish},
            )
        self.report.unmatched += [
            f"{session} is in the database but not in the file; left as it is."
            for session in existing.values()
        ]
        return sessions

    def match_talks(self):
        """Pair each parsed talk with an existing talk of the conference: by title, or else (a
        retitled talk) by its place in its session among talks the file no longer names."""
        existing = list(
            Talk.objects.filter(session__conference=self.conference).select_related("session")
        )
        by_title = {talk.title: talk for talk in existing}
        parsed_titles = {t.title for s in self.parsed.sessions for t in s.talks}
        leftovers = {
            (talk.session.number, talk.order): talk
            for talk in existing
            if talk.title not in parsed_titles
        }
        matches = {}
        for session in self.parsed.sessions:
            for order, parsed in enumerate(session.talks):
                talk = by_title.get(parsed.title) or leftovers.pop((session.number, order), None)
                matches[id(parsed)] = talk
        matched = {talk.pk for talk in matches.values() if talk}
        self.report.unmatched += [
            f"talk “{talk}” is in the database but not in the file; left as it is."
            for talk in existing
            if talk.pk not in matched
        ]
        return matches

    def write_talks(self, sessions, speakers):
        matches = self.match_talks()
        for parsed_session in self.parsed.sessions:
            session = sessions[parsed_session.number]
            for order, parsed in enumerate(parsed_session.talks):
                talk = matches[id(parsed)] or Talk()
                create_values = {"is_published": self.publish}
                if talk.pk is None:
                    create_values |= {
                        "slug": unique_slug(Talk, parsed.title),
                        "uid": self.import_uid(Talk, f"talk/{parsed.title}"),
                    }
                talk = self.save(
                    "talk",
                    talk,
                    {
                        "session": session,
                        "title": parsed.title,
                        "abstract": parsed.abstract,
                        "order": order,
                        "has_media": parsed.has_media,
                    },
                    line=parsed.line,
                    create_values=create_values,
                )
                self.write_authorships(talk, parsed, speakers)

    def affiliation(self, name, line):
        if name is None:
            return None
        if name not in self.affiliations:
            affiliation = (
                Affiliation.objects.filter(name=name).first()
                or Affiliation.objects.filter(aliases__name=name).first()
                or Affiliation(name=name)
            )
            create_values = {} if affiliation.pk else {"slug": unique_slug(Affiliation, name)}
            self.affiliations[name] = self.save(
                "affiliation", affiliation, {}, line=line, create_values=create_values
            )
        return self.affiliations[name]

    def people(self):
        """Everyone the file names, once each, by full name: their bio (the first the file gives)
        and current affiliation (their bio heading's, else their latest byline's)."""
        aliases = {
            author.name: author.speaker_name
            for session in self.parsed.sessions
            for talk in session.talks
            for author in talk.authors
            if author.speaker_name
        }
        people = {}
        for session in self.parsed.sessions:
            for talk in session.talks:
                for author in talk.authors:
                    name = author.speaker_name or aliases.get(author.name, author.name)
                    person = people.setdefault(name, {"bio": "", "affiliation": None, "line": 0})
                    if not person["bio"]:
                        person["affiliation"] = author.bio_affiliation or author.affiliation
                        person["line"] = author.bio_line or talk.line
                    if author.bio and not person["bio"]:
                        person["bio"] = author.bio
                    elif author.bio and author.bio != person["bio"]:
                        self.report.notes.append(
                            f"line {author.bio_line}: {name} has another bio on line "
                            f"{person['line']}; kept that one."
                        )
        return aliases, people

    def write_speakers(self):
        """One Speaker per person: a name the database already has is that Speaker (the one at
        the same organisation, if several share the name), and so is a name merged into one in
        the admin. A bio the file lacks is kept."""
        aliases, people = self.people()
        speakers = {}
        for name, person in people.items():
            affiliation = self.affiliation(person["affiliation"], person["line"])
            candidates = list(Speaker.objects.filter(name=name)) or list(
                Speaker.objects.filter(aliases__name=name)
            )
            speaker = next(
                (s for s in candidates if s.affiliation_id == getattr(affiliation, "pk", None)),
                candidates[0] if candidates else Speaker(name=name),
            )
            values = {"affiliation": affiliation}
            if person["bio"]:
                values["bio"] = person["bio"]
            create_values = {} if speaker.pk else {"slug": unique_slug(Speaker, name)}
            speakers[name] = self.save(
                "speaker", speaker, values, line=person["line"], create_values=create_values
            )
        return {**{alias: speakers[name] for alias, name in aliases.items()}, **speakers}

    def write_authorships(self, talk, parsed, speakers):
        wanted = []
        for author in parsed.authors:
            speaker = speakers[author.speaker_name or author.name]
            affiliation = self.affiliation(author.affiliation, parsed.line)
            credited_name = author.name if author.name != speaker.name else ""
            wanted.append((speaker.pk, getattr(affiliation, "pk", None), credited_name))
        current = list(talk.authorships.order_by("position"))
        have = [(a.speaker_id, a.affiliation_id, a.credited_name) for a in current]
        if have == wanted:
            self.report.unchanged["authorship"] += len(current)
            return
        talk.authorships.all().delete()
        for position, (speaker_id, affiliation_id, credited_name) in enumerate(wanted):
            authorship = Authorship.objects.create(
                talk=talk,
                speaker_id=speaker_id,
                affiliation_id=affiliation_id,
                position=position,
                credited_name=credited_name,
            )
            self.report.record("authorship", authorship, "created" if not current else "updated")


def apply_program(parsed, conference_slug, *, publish=False, dry_run=False):
    """Write `parsed` into the conference `conference_slug` (created if missing) in one
    transaction; with `dry_run`, roll it back and only report. Returns an ImportReport."""
    report = ImportReport(dry_run=dry_run)
    with transaction.atomic():
        ProgramWriter(parsed, conference_slug, publish=publish, report=report).write()
        if dry_run:
            transaction.set_rollback(True)
    return report
