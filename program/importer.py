"""Write a parsed program (see program/parser.py) into the models.

`apply_program(parsed, slug, ...)` writes it in one transaction, matching what is already there so
that a second run changes nothing and an edited text updates records in place. It returns an
`ImportReport` of what it created, updated, left unchanged and could not match.
"""

import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from program.models import Conference, Day, Session, Talk
from program.parser import ProgramFormatError
from speakers.models import Affiliation, Authorship, Speaker

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
