"""Write a parsed program (see program/parser.py) into the models.

`apply_program(parsed, slug, ...)` writes it in one transaction, matching what is already there so
that a second run changes nothing and an edited text updates records in place. It returns an
`ImportReport` of what it created, updated, left unchanged and could not match. Whatever the
database or a model refuses becomes a `ProgramFormatError` naming the file's line, with nothing
written.

It runs the same number of queries whatever the size of the program: the rows it may match are
read once into dicts, slugs and UIDs are chosen in memory, and new and changed rows are written
in bulk (SQLite takes at most 999 parameters a query, so there a large program's bulk writes and
look-ups go in several batches).
"""

import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from program import revisions
from program.models import Conference, Day, Session, Talk
from program.parser import ProgramFormatError
from speakers.models import Affiliation, AffiliationAlias, Authorship, Speaker, SpeakerAlias

# Namespace for the UIDs of imported sessions and talks: importing the same program into an
# empty database gives the same UIDs again, so calendar subscribers never see duplicates.
UID_NAMESPACE = uuid.UUID("6f3d7c1e-2b7a-4c55-9a52-0b5e1f6c0d20")


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


# --- Reading and writing in bulk ----------------------------------------------------------------


def batches(values):
    """`values` in lists as long as one query may take (SQLite: 999 parameters)."""
    values = list(dict.fromkeys(values))
    size = connection.features.max_query_params or len(values) or 1
    return [values[start : start + size] for start in range(0, len(values), size)]


def rows_where(queryset, field_name, values):
    """The rows of `queryset` whose `field_name` is one of `values`, one query per batch."""
    return [
        row for batch in batches(values) for row in queryset.filter(**{f"{field_name}__in": batch})
    ]


class Slugs:
    """Unique slugs of a model ("name", "name-2", …), chosen in memory against every slug the
    table holds, read once."""

    def __init__(self, model, max_length=100):
        self.model = model
        self.max_length = max_length
        self.taken = None

    def new(self, text):
        if self.taken is None:
            self.taken = set(self.model.objects.order_by().values_list("slug", flat=True))
        base = slugify(text)[: self.max_length].rstrip("-") or self.model._meta.model_name
        slug, counter = base, 2
        while slug in self.taken:
            slug = f"{base}-{counter}"
            counter += 1
        self.taken.add(slug)
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


class Changes:
    """The rows of one model an import creates and updates, written in bulk by `write`."""

    def __init__(self, model):
        self.model = model
        self.created, self.updated = [], {}
        self.fields = {}  # every field an update sets, in order

    def add(self, obj, outcome, values):
        """Remember `obj` by its `stage` outcome, with the `values` that were set on it."""
        if outcome == "created":
            self.created.append(obj)
        elif outcome == "updated":
            self.updated[id(obj)] = obj
            self.fields |= dict.fromkeys(values)

    def write(self):
        if self.updated:
            fields = list(self.fields)
            if any(f.name == "updated_at" for f in self.model._meta.fields):
                now = timezone.now()  # bulk_update does not apply auto_now
                for obj in self.updated.values():
                    obj.updated_at = now
                fields.append("updated_at")
            self.model.objects.bulk_update(self.updated.values(), fields)
        if self.created:
            self.model.objects.bulk_create(self.created)


# Fields the writer fills itself, never from the file: nothing there for a model to refuse.
MADE_HERE = {"uid", "slug", "is_published", "created_at", "updated_at"}


# --- The writer ---------------------------------------------------------------------------------


class ProgramWriter:
    """Writes a ParsedProgram into a conference, matching existing rows (see `apply_program`).
    `line` is the file's line being written, for errors the database raises."""

    def __init__(self, parsed, conference_slug, *, publish, report):
        self.parsed = parsed
        self.conference_slug = conference_slug
        self.publish = publish
        self.report = report
        self.line = 1
        self.talk_slugs, self.speaker_slugs = Slugs(Talk), Slugs(Speaker)
        self.affiliation_slugs = Slugs(Affiliation)
        self.talk_list = [
            (session, order, talk)
            for session in parsed.sessions
            for order, talk in enumerate(session.talks)
        ]

    def stage(
        self, model_name, obj, values, *, line, changes=None, create_values=None, unique=False
    ):
        """Set `values` on `obj` (a new row if it has no pk: then `create_values` too), validate
        it if it changed, record the outcome and return it; `changes` writes it later. A value
        the model refuses is reported against the file's `line`."""
        self.line = line
        if obj.pk is None:
            update_fields(obj, {**values, **(create_values or {})})
            outcome = "created"
        else:
            outcome = "updated" if update_fields(obj, values) else "unchanged"
        if outcome != "unchanged":
            self.validate(model_name, obj, line, unique=unique)
        self.report.record(model_name, obj, outcome)
        if changes is not None:
            changes.add(obj, outcome, values)
        return outcome

    def validate(self, model_name, obj, line, *, unique=False):
        """The model's own checks, without queries unless `unique`: related rows were just
        read or written, and uniqueness is settled in memory (slugs, UIDs) or by the parser
        (numbers, titles)."""
        made_here = [
            f.name for f in obj._meta.concrete_fields if f.is_relation or f.name in MADE_HERE
        ]
        try:
            obj.full_clean(
                exclude=None if unique else made_here,
                validate_unique=unique,
                validate_constraints=unique,
            )
        except ValidationError as error:
            messages = "; ".join(
                f"{name}: {' '.join(errors)}" for name, errors in error.message_dict.items()
            )
            raise ProgramFormatError(line, f"{model_name} “{obj}”: {messages}") from error

    def import_uids(self, model, keys):
        """{key: UID} for new rows: derived from what identifies each in the program, so
        importing into an empty database gives the same UIDs again; random where a row renamed
        or renumbered in the admin already carries it."""
        wanted = {key: uuid.uuid5(UID_NAMESPACE, f"{self.conference.slug}/{key}") for key in keys}
        uids = model.objects.order_by().values_list("uid", flat=True)
        taken = set(rows_where(uids, "uid", wanted.values()))
        return {key: uuid.uuid4() if uid in taken else uid for key, uid in wanted.items()}

    def write(self):
        self.conference = self.write_conference()
        days = self.write_days()
        sessions = self.write_sessions(days)
        affiliations = self.write_affiliations()
        speakers = self.write_speakers(affiliations)
        talks = self.write_talks(sessions)
        self.write_authorships(talks, speakers, affiliations)
        self.report.notes.extend(self.parsed.notes)
        return self.conference

    def write_conference(self):
        parsed = self.parsed
        conference = Conference.objects.filter(slug=self.conference_slug).first()
        if conference and conference.time_zone != parsed.time_zone:
            raise ProgramFormatError(
                1,
                f"{conference} is in {conference.time_zone}, but the program's times are "
                f"in {parsed.time_zone}.",
            )
        conference = conference or Conference(slug=self.conference_slug)
        values = {
            "name": parsed.conference_name,
            "intro": parsed.intro,
            "time_zone_note": parsed.time_zone_note,
        }
        create_values = {"time_zone": parsed.time_zone, "is_published": self.publish}
        outcome = self.stage(
            "conference", conference, values, line=1, create_values=create_values, unique=True
        )
        if outcome != "unchanged":
            conference.save()
        return conference

    def write_days(self):
        existing = {day.date: day for day in self.conference.days.all()}
        days, changes = {}, Changes(Day)
        for session in self.parsed.sessions:
            if session.day not in days:
                day = existing.get(session.day) or Day(conference=self.conference, date=session.day)
                self.stage("day", day, {}, line=session.line, changes=changes)
                days[session.day] = day
        changes.write()
        return days

    @staticmethod
    def session_values(parsed, order, days):
        """What the file says of a session: every field an import sets or updates."""
        return {
            "day": days[parsed.day],
            "title": parsed.title,
            "description": parsed.description,
            "start": parsed.start,
            "end": parsed.end,
            "slack_label": parsed.slack_label,
            "order": order,
        }

    def write_sessions(self, days):
        """{number: Session}: the conference's session of each number, else a new one."""
        existing = {session.number: session for session in self.conference.sessions.all()}
        self.session_numbers = {session.pk: number for number, session in existing.items()}
        uids = self.import_uids(
            Session,
            [f"session/{s.number}" for s in self.parsed.sessions if s.number not in existing],
        )
        sessions, changes = {}, Changes(Session)
        for order, parsed in enumerate(self.parsed.sessions):
            session = existing.pop(parsed.number, None) or Session(
                conference=self.conference,
                number=parsed.number,
                uid=uids[f"session/{parsed.number}"],
            )
            self.stage(
                "session",
                session,
                self.session_values(parsed, order, days),
                line=parsed.line,
                changes=changes,
                create_values={"is_published": self.publish},
            )
            sessions[parsed.number] = session
        self.line = self.parsed.sessions[0].line if self.parsed.sessions else 1
        changes.write()
        self.report.unmatched += [
            f"{session} is in the database but not in the file; left as it is."
            for session in existing.values()
        ]
        return sessions

    def parsed_talks(self):
        """(session, order, parsed talk) for every talk of the file, in order."""
        return self.talk_list

    def match_talks(self):
        """Pair each parsed talk with an existing talk of the conference: by title, or else (a
        retitled talk) by its place in its session among talks the file no longer names."""
        existing = list(Talk.objects.filter(session__conference=self.conference))
        by_title = {talk.title: talk for talk in existing}
        parsed_titles = {talk.title for _, _, talk in self.parsed_talks()}
        leftovers = {
            (self.session_numbers[talk.session_id], talk.order): talk
            for talk in existing
            if talk.title not in parsed_titles
        }
        matches = {}
        for session, order, parsed in self.parsed_talks():
            talk = by_title.get(parsed.title) or leftovers.pop((session.number, order), None)
            matches[id(parsed)] = talk
        matched = {talk.pk for talk in matches.values() if talk}
        self.report.unmatched += [
            f"talk “{talk}” is in the database but not in the file; left as it is."
            for talk in existing
            if talk.pk not in matched
        ]
        return matches

    def write_talks(self, sessions):
        """Returns [(talk, parsed talk, whether it existed)] in the file's order."""
        matches = self.match_talks()
        uids = self.import_uids(
            Talk, [f"talk/{p.title}" for _, _, p in self.parsed_talks() if not matches[id(p)]]
        )
        changes = Changes(Talk)
        talks = []
        for parsed_session, order, parsed in self.parsed_talks():
            talk = matches[id(parsed)] or Talk()
            create_values = {"is_published": self.publish}
            if talk.pk is None:
                create_values |= {
                    "slug": self.talk_slugs.new(parsed.title),
                    "uid": uids[f"talk/{parsed.title}"],
                }
            values = {
                "session": sessions[parsed_session.number],
                "title": parsed.title,
                "abstract": parsed.abstract,
                "order": order,
                "has_media": parsed.has_media,
            }
            existed = talk.pk is not None
            self.stage(
                "talk", talk, values, line=parsed.line, changes=changes, create_values=create_values
            )
            talks.append((talk, parsed, existed))
        self.line = talks[0][1].line if talks else 1
        changes.write()
        return talks

    def affiliation_names(self, people):
        """{name: the line that first names it}: the people's current affiliations first, then
        those of the bylines, in the file's order."""
        names = {}
        for person in people.values():
            if person["affiliation"] is not None:
                names.setdefault(person["affiliation"], person["line"])
        for _, _, talk in self.parsed_talks():
            for author in talk.authors:
                if author.affiliation is not None:
                    names.setdefault(author.affiliation, talk.byline_line)
        return names

    def write_affiliations(self):
        """{name: Affiliation} for every organisation the file names: the one of that name, or
        the one it was merged into in the admin, or a new one."""
        self.aliases, self.people = self.find_people()
        names = self.affiliation_names(self.people)
        existing = {a.name: a for a in rows_where(Affiliation.objects.all(), "name", names)}
        merged = rows_where(
            AffiliationAlias.objects.select_related("affiliation"),
            "name",
            [name for name in names if name not in existing],
        )
        existing |= {alias.name: alias.affiliation for alias in merged}  # names are unique
        affiliations, changes = {}, Changes(Affiliation)
        for name, line in names.items():
            affiliation = existing.get(name) or Affiliation(name=name)
            create_values = {} if affiliation.pk else {"slug": self.affiliation_slugs.new(name)}
            self.stage(
                "affiliation",
                affiliation,
                {},
                line=line,
                changes=changes,
                create_values=create_values,
            )
            affiliations[name] = affiliation
        changes.write()
        return affiliations

    def find_people(self):
        """Everyone the file names, once each, by full name: their bio (the first the file gives)
        and current affiliation (their bio heading's, else their latest byline's)."""
        aliases = {
            author.name: author.speaker_name
            for _, _, talk in self.parsed_talks()
            for author in talk.authors
            if author.speaker_name
        }
        people = {}
        for _, _, talk in self.parsed_talks():
            for author in talk.authors:
                name = author.speaker_name or aliases.get(author.name, author.name)
                person = people.setdefault(name, {"bio": "", "affiliation": None, "line": 0})
                if not person["bio"]:
                    person["affiliation"] = author.bio_affiliation or author.affiliation
                    person["line"] = author.bio_line or talk.byline_line
                if author.bio and not person["bio"]:
                    person["bio"] = author.bio
                elif author.bio and author.bio != person["bio"]:
                    self.report.notes.append(
                        f"line {author.bio_line}: {name} has another bio on line "
                        f"{person['line']}; kept that one."
                    )
        return aliases, people

    def speaker_candidates(self):
        """{name: [Speaker]} for the people's names: the speakers of that name, else those it
        was merged into in the admin, each in the model's order. One instance per row."""
        rows = {}
        by_name = defaultdict(list)
        for speaker in rows_where(Speaker.objects.all(), "name", self.people):
            by_name[speaker.name].append(rows.setdefault(speaker.pk, speaker))
        merged = rows_where(
            SpeakerAlias.objects.select_related("speaker"),
            "name",
            [name for name in self.people if name not in by_name],
        )
        for alias in merged:
            by_name[alias.name].append(rows.setdefault(alias.speaker.pk, alias.speaker))
        for candidates in by_name.values():
            candidates.sort(key=lambda speaker: (speaker.name, speaker.pk))
        return by_name

    def write_speakers(self, affiliations):
        """One Speaker per person: a name the database already has is that Speaker (the one at
        the same organisation, if several share the name), and so is a name merged into one in
        the admin. A bio the file lacks is kept."""
        candidates = self.speaker_candidates()
        speakers, changes = {}, Changes(Speaker)
        for name, person in self.people.items():
            affiliation = affiliations.get(person["affiliation"])
            found = candidates.get(name, [])
            speaker = next(
                (s for s in found if s.affiliation_id == getattr(affiliation, "pk", None)),
                found[0] if found else Speaker(name=name),
            )
            values = {"affiliation": affiliation}
            if person["bio"]:
                values["bio"] = person["bio"]
            create_values = {} if speaker.pk else {"slug": self.speaker_slugs.new(name)}
            self.stage(
                "speaker",
                speaker,
                values,
                line=person["line"],
                changes=changes,
                create_values=create_values,
            )
            speakers[name] = speaker
        changes.write()
        return {**{alias: speakers[name] for alias, name in self.aliases.items()}, **speakers}

    def byline(self, parsed, speakers, affiliations):
        """The talk's byline as (speaker, affiliation, credited name) in order; two names of
        one speaker in it are refused."""
        byline, seen = [], {}
        for author in parsed.authors:
            speaker = speakers[author.speaker_name or author.name]
            if speaker.pk in seen:
                raise ProgramFormatError(
                    parsed.byline_line,
                    f"{seen[speaker.pk]} and {author.name} are the same speaker, {speaker}.",
                )
            seen[speaker.pk] = author.name
            credited_name = author.name if author.name != speaker.name else ""
            byline.append((speaker, affiliations.get(author.affiliation), credited_name))
        return byline

    def new_authorships(self, talk, parsed, byline):
        authorships = [
            Authorship(
                talk=talk,
                speaker=speaker,
                affiliation=affiliation,
                position=position,
                credited_name=credited_name,
            )
            for position, (speaker, affiliation, credited_name) in enumerate(byline)
        ]
        for authorship in authorships:
            if authorship.credited_name:
                self.validate("authorship", authorship, parsed.byline_line)
        return authorships

    def write_authorships(self, talks, speakers, affiliations):
        """Each talk's byline: kept if it is what the file says, else replaced."""
        current = defaultdict(list)
        rows = Authorship.objects.order_by("talk", "position").values_list(
            "talk", "speaker", "affiliation", "credited_name"
        )
        for talk_id, *authorship in rows_where(
            rows, "talk", [t.pk for t, _, existed in talks if existed]
        ):
            current[talk_id].append(tuple(authorship))
        replaced, created = [], []
        for talk, parsed, _ in talks:
            self.line = parsed.line
            have = current[talk.pk]
            byline = self.byline(parsed, speakers, affiliations)
            if have == [(s.pk, getattr(a, "pk", None), name) for s, a, name in byline]:
                self.report.unchanged["authorship"] += len(have)
                continue
            if have:
                replaced.append(talk.pk)
            for authorship in self.new_authorships(talk, parsed, byline):
                self.report.record("authorship", authorship, "updated" if have else "created")
                created.append(authorship)
        self.line = talks[0][1].line if talks else 1
        for batch in batches(replaced):
            Authorship.objects.filter(talk__in=batch).delete()
        Authorship.objects.bulk_create(created)


# What a model or the database may refuse in a program that parsed: a value out of range, too
# long, or clashing with a row the file does not name.
DATABASE_REFUSALS = (ValidationError, ValueError, ArithmeticError, DataError, IntegrityError)


def apply_program(parsed, conference_slug, *, publish=False, dry_run=False):
    """Write `parsed` into the conference `conference_slug` (created if missing) in one
    transaction; with `dry_run`, roll it back and only report. Returns an ImportReport; raises
    ProgramFormatError, with nothing written, for anything refused."""
    report = ImportReport(dry_run=dry_run)
    writer = ProgramWriter(parsed, conference_slug, publish=publish, report=report)
    try:
        with transaction.atomic():
            # The calendar revisions, change log and versions are recorded once, at the end of
            # the block (program/revisions.py); bulk writes send no signals, so the conference
            # is noted as changed here.
            with revisions.deferred():
                writer.write()
                revisions.objects_changed([writer.conference])
            if dry_run:
                transaction.set_rollback(True)
    except ProgramFormatError:
        raise
    except DATABASE_REFUSALS as error:
        raise ProgramFormatError(writer.line, f"the database refused it: {error}") from error
    return report
