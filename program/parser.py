"""Read a program printed in USENIX's text format (the OpML '20 seed's) into plain dataclasses.

`read_program(data)` turns the bytes of a file into text under the documented limits (at most
MAX_PROGRAM_BYTES, UTF-8 with or without a byte order mark, control characters dropped), and
`parse_program(text)` turns the text into a `ParsedProgram`, or raises `ProgramFormatError` naming
the offending line as an editor counts lines (a line ends at "\\n", "\\r\\n" or "\\r", nowhere
else). Nothing here touches the database: `program.importer.apply_program` writes the result.

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
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from speakers.bylines import format_byline
from speakers.text import normalise_text

# The largest program file the command and the admin accept (OpML '20's is 40 kB).
MAX_PROGRAM_BYTES = 2 * 1024 * 1024
# The most talks a program may hold (OpML '20 has 25): an import of this many finishes well
# inside a 30 s request (benchmarks/bench_import.py), for the command and the admin alike.
MAX_PROGRAM_TALKS = 20_000

MEDIA_MARKER = "Available Media"
WEEKDAYS = list(calendar.day_name)
MONTHS = list(calendar.month_name)[1:]
# Session numbers run to 9999 (int() would refuse more than 4,300 digits, and the databases
# disagree on where a small integer ends).
MAX_NUMBER_DIGITS = 4

LINE_BREAK = re.compile(r"\r\n|\r|\n")
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


class ProgramInputError(ValueError):
    """The file or an option cannot be used at all: too large, not UTF-8, an unknown time zone.
    `option` names the option at fault ("time_zone", "year"), None for the file itself."""

    def __init__(self, message, option=None):
        super().__init__(message)
        self.message = message
        self.option = option


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
    byline_line: int = 0


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


# --- Reading the file ---------------------------------------------------------------------------


def editor_lines(text):
    """The lines of `text` as an editor numbers them (breaking at "\\n", "\\r\\n" and "\\r" only),
    each cleaned by `normalise_text`; a Unicode line separator inside a line becomes a space, so
    that it cannot shift the numbering."""
    return [
        normalise_text(line).replace("\n", " ")
        for line in LINE_BREAK.split(text.removeprefix("\ufeff"))
    ]


def read_program(data):
    """The text of a program file's bytes, as the command and the admin read it: at most
    MAX_PROGRAM_BYTES, UTF-8 (a byte order mark is dropped), cleaned line by line by
    `normalise_text` (no control character is ever stored). Raises ProgramInputError."""
    if len(data) > MAX_PROGRAM_BYTES:
        raise ProgramInputError(
            f"The file is larger than {MAX_PROGRAM_BYTES // (1024 * 1024)} MB: "
            "is it a program text?"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ProgramInputError(
            "The file is not UTF-8 text. Save it as UTF-8 and retry."
        ) from error
    return "\n".join(editor_lines(text))


def split_paragraphs(text):
    """Blank-line separated paragraphs, each with the number of its first line; a paragraph
    wrapped over several lines is joined with spaces."""
    paragraphs, current, first_line = [], [], None
    for number, raw in enumerate(editor_lines(text), start=1):
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


def load_time_zone(name):
    """The ZoneInfo for an IANA name given as an option, or ProgramInputError (never a path)."""
    if name not in zoneinfo.available_timezones():
        raise ProgramInputError(
            f"“{name}” is not an IANA time zone name such as America/Los_Angeles.",
            option="time_zone",
        )
    return zoneinfo.ZoneInfo(name)


# --- Author lines -------------------------------------------------------------------------------


def split_names(parts):
    """(names, the rest) of a group split at commas: the names end at the element that carries
    the "and"; without an "and" there is one name."""
    if " and " in parts[0]:
        return [name.strip() for name in parts[0].split(" and ")], parts[1:]
    last = next((i for i, part in enumerate(parts) if i >= 2 and part.startswith("and ")), None)
    if last is None:
        return [parts[0]], parts[1:]
    return [*parts[:last], parts[last].removeprefix("and ").strip()], parts[last + 1 :]


def split_names_and_affiliation(group, line):
    """Split "A, B, and C, Org" into (["A", "B", "C"], "Org"); the organisation may itself contain
    commas ("University of California, Merced")."""
    names, rest = split_names([part.strip() for part in group.split(",")])
    if any(not name for name in names):
        raise ProgramFormatError(line, f"an author's name is missing in “{group}”.")
    dangling = [n for n in names if n == "and" or n.startswith("and ") or n.endswith(" and")]
    if dangling:
        raise ProgramFormatError(
            line, f"cannot read the author line unambiguously: “{dangling[0]}” is not a name."
        )
    return names, ", ".join(rest).strip() or None


def parse_author_line(text, line):
    """Parse "A and B, Org; C, Other Org" into ParsedAuthors, in order."""
    authors = []
    for group in text.split(";"):
        group = group.strip()
        if not group:
            raise ProgramFormatError(line, "the author line has an empty group between “;”.")
        names, affiliation = split_names_and_affiliation(group, line)
        authors.extend(ParsedAuthor(name=name, affiliation=affiliation) for name in names)
    # The pages print the byline back from these parts: make sure it comes out the same.
    reprinted = format_byline((author.name, author.affiliation) for author in authors)
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


# --- Dates and times ----------------------------------------------------------------------------


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
    try:
        round_trip = local.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    except OverflowError as error:
        raise ProgramFormatError(line, f"{day} is out of the range of dates.") from error
    if round_trip != datetime.combine(day, clock):
        raise ProgramFormatError(line, f"{clock:%H:%M} does not exist on {day} in {tz.key}.")
    return local


def year_from_name(name):
    """2020 from "OpML '20"; None when the name carries no year."""
    match = YEAR_IN_NAME_RE.search(name)
    if not match:
        return None
    return int(match["yyyy"]) if match["yyyy"] else 2000 + int(match["yy"])


# --- The parser ---------------------------------------------------------------------------------


class ProgramParser:
    """Walks the paragraphs once with a cursor (`index`), keeping the current day and session."""

    def __init__(self, text, *, year=None, time_zone=None):
        self.paragraphs = split_paragraphs(text)
        self.year = year
        self.time_zone = time_zone
        self.tz = load_time_zone(time_zone) if time_zone else None
        self.notes = []
        self.index = 0
        self.talk_count = 0

    # The cursor.

    @property
    def line(self):
        """The line of the paragraph at the cursor (the last one's past the end)."""
        if self.index < len(self.paragraphs):
            return self.paragraphs[self.index].line
        return self.paragraphs[-1].line if self.paragraphs else 1

    def error(self, message):
        raise ProgramFormatError(self.line, message)

    def text(self, offset=0):
        index = self.index + offset
        return self.paragraphs[index].text if index < len(self.paragraphs) else None

    def take(self):
        paragraph = self.paragraphs[self.index]
        self.index += 1
        return paragraph

    def at(self, pattern):
        """The match of `pattern` on the paragraph at the cursor, or None (also past the end)."""
        text = self.text()
        return pattern.match(text) if text is not None else None

    def at_talk(self):
        return self.text(2) == MEDIA_MARKER

    def at_block(self):
        """Whether the cursor is at the end, or at a day, a session time or a talk."""
        return self.text() is None or bool(
            self.at(DAY_RE) or self.at(TIME_RANGE_RE) or self.at_talk()
        )

    def number(self, digits, what):
        """The number `digits` spell, refusing more than MAX_NUMBER_DIGITS of them."""
        significant = digits.lstrip("0") or "0"
        if len(significant) > MAX_NUMBER_DIGITS:
            self.error(
                f"{what} {significant[:MAX_NUMBER_DIGITS]}… is too large a number "
                f"(at most {'9' * MAX_NUMBER_DIGITS})."
            )
        return int(significant)

    # The program, top down.

    def parse(self):
        if not self.paragraphs:
            raise ProgramFormatError(1, "the file is empty.")
        name = self.parse_title()
        intro, note, abbreviation = self.parse_preamble()
        sessions = []
        while self.text() is not None:
            sessions += self.parse_day()
        self.check_zone_abbreviation(sessions, abbreviation)
        self.check_session_numbers(sessions)
        self.check_talk_titles(sessions)
        return ParsedProgram(
            conference_name=name,
            intro=join_paragraphs(intro),
            time_zone_note=note,
            time_zone=self.time_zone,
            sessions=sessions,
            notes=self.notes,
        )

    def parse_title(self):
        title = self.at(TITLE_RE)
        if not title:
            self.error("the first line must be the title, “<Conference> Conference Program”.")
        self.take()
        if self.year is None:
            self.year = year_from_name(title["name"])
            if self.year is None:
                self.error(f"cannot tell the year from “{title['name']}”: give it with --year.")
        return title["name"]

    def parse_preamble(self):
        """The intro paragraphs and the time note, up to the first day; sets the time zone."""
        intro, note, abbreviation = [], "", None
        while self.text() is not None and not self.at(DAY_RE):
            match = self.at(TIME_NOTE_RE)
            if match:
                note, abbreviation = self.text(), match["abbr"]
                self.take()
            else:
                intro.append(self.take())
        if self.text() is None:
            self.error("no day heading such as “Tuesday, July 28” was found.")
        if not self.time_zone:
            self.time_zone = ZONE_FOR_ABBREVIATION.get(abbreviation)
            if not self.time_zone:
                self.error("cannot tell the program's time zone: give it with --time-zone.")
            self.tz = zoneinfo.ZoneInfo(self.time_zone)
        return intro, note, abbreviation

    def parse_day(self):
        day = self.parse_day_heading()
        if not self.at(TIME_RANGE_RE):
            self.error("expected the session's time (“9:00 am–10:30 am”) after the day.")
        sessions = []
        while self.at(TIME_RANGE_RE):
            sessions.append(self.parse_session(day))
        return sessions

    def parse_day_heading(self):
        match = self.at(DAY_RE)
        if not match:
            self.error(f"expected a day such as “Tuesday, July 28”, found “{self.text()}”.")
        try:
            day = date(self.year, MONTHS.index(match["month"]) + 1, int(match["day"]))
        except (ValueError, OverflowError):
            self.error(f"“{self.text()}” is not a date in {self.year}.")
        if WEEKDAYS[day.weekday()] != match["weekday"]:
            self.error(
                f"{match['month']} {day.day}, {self.year} is a {WEEKDAYS[day.weekday()]}, "
                f"not a {match['weekday']}."
            )
        self.take()
        return day

    def parse_session(self, day):
        line = self.line
        start, end = self.parse_session_times(day)
        heading = self.at(SESSION_RE)
        if not heading:
            self.error("expected a session heading such as “Session 1: Title”.")
        session = ParsedSession(
            line=line,
            number=self.number(heading["number"], "Session"),
            title=heading["title"],
            day=day,
            start=start,
            end=end,
        )
        self.take()
        self.parse_session_description(session)
        while self.text() is not None and self.at_talk():
            self.talk_count += 1
            if self.talk_count > MAX_PROGRAM_TALKS:
                self.error(
                    f"a program holds at most {MAX_PROGRAM_TALKS:,} talks; this is one more."
                )
            session.talks.append(self.parse_talk())
        return session

    def parse_session_times(self, day):
        times = self.at(TIME_RANGE_RE)
        try:
            start_clock, end_clock = parse_clock(times["start"]), parse_clock(times["end"])
        except ValueError:
            self.error(f"“{self.text()}” is not a time range such as 9:00 am–10:30 am.")
        start = localize(day, start_clock, self.tz, self.line)
        end = localize(day, end_clock, self.tz, self.line)
        if end <= start:
            self.error("the session must end after it starts.")
        self.take()
        return start, end

    def parse_session_description(self, session):
        """The description paragraphs, then the Slack line, up to the first talk."""
        description = []
        while not self.at_block():
            slack = self.at(SLACK_RE)
            if slack:
                if self.number(slack["number"], "Session") != session.number:
                    self.error(
                        f"this Slack line names Session {slack['number']}, not {session.number}."
                    )
                session.slack_label = self.text()
            elif session.slack_label:
                self.error("the session's description must come before its Slack line.")
            else:
                description.append(self.paragraphs[self.index])
            self.index += 1
        session.description = join_paragraphs(description)

    def parse_talk(self):
        title, byline = self.take(), self.take()
        self.take()  # "Available Media"
        authors = parse_author_line(byline.text, byline.line)
        talk = ParsedTalk(
            line=title.line, title=title.text, authors=authors, byline_line=byline.line
        )
        abstract, bio_author, bio = [], None, []
        while not self.at_block():
            author = match_bio_heading(self.text(), authors)
            if author is not None and (abstract or bio_author):
                self.finish_bio(bio_author, bio)
                bio_author, bio = self.start_bio(author, talk), []
            elif bio_author:
                bio.append(self.paragraphs[self.index])
            else:
                abstract.append(self.paragraphs[self.index])
            self.index += 1
        self.finish_bio(bio_author, bio)
        talk.abstract = join_paragraphs(abstract)
        return talk

    def start_bio(self, author, talk):
        """Take the heading at the cursor as the start of `author`'s bio; note an inferred
        match (a fuller name than the byline's)."""
        if author.bio_line is not None:
            self.error(f"{author.name} has a second bio in this talk.")
        author.bio_line = self.line
        heading_name, _, author.bio_affiliation = self.text().partition(", ")
        if heading_name != author.name:
            author.speaker_name = heading_name
            self.notes.append(
                f"line {author.bio_line}: the bio of “{heading_name}” is taken as that of "
                f"“{author.name}” ({author.affiliation}) in “{talk.title}”."
            )
        return author

    def finish_bio(self, author, paragraphs):
        if author is None:
            return
        if not paragraphs:
            raise ProgramFormatError(author.bio_line, f"the bio of {author.name} is empty.")
        author.bio = join_paragraphs(paragraphs)

    # Checks over the whole program.

    def check_zone_abbreviation(self, sessions, abbreviation):
        if not abbreviation:
            return
        for session in sessions:
            actual = session.start.tzname()
            if actual != abbreviation:
                raise ProgramFormatError(
                    session.line,
                    f"the program says its times are in {abbreviation}, but in "
                    f"{self.time_zone} Session {session.number} falls in {actual}.",
                )

    def check_session_numbers(self, sessions):
        numbers = Counter(session.number for session in sessions)
        for session in sessions:
            if numbers[session.number] > 1:
                raise ProgramFormatError(session.line, f"Session {session.number} appears twice.")

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
    """Parse program text; raises ProgramFormatError naming the offending line, or
    ProgramInputError for an unusable option (an unknown `time_zone`)."""
    parser = ProgramParser(text, year=year, time_zone=time_zone)
    try:
        return parser.parse()
    except (ProgramFormatError, ProgramInputError):
        raise
    except (ValueError, ArithmeticError, LookupError) as error:
        # Whatever else the text makes Python refuse is still an answer about one line.
        raise ProgramFormatError(parser.line, f"cannot read this: {error}") from error
