"""`manage.py generate_program`: a synthetic, published conference of a chosen size.

Tests use it to pin query counts on programs far larger than OpML '20, and benchmarks to time
pages and feeds. Everything it makes is plainly synthetic ("Synthetic talk 17")."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from program import revisions
from program.models import Conference, Day, Session, Talk
from speakers.models import Affiliation, Authorship, Speaker

# The "large program" that tests pin query counts on and benchmarks time: 20 days of 5 sessions of
# 20 talks (2,000 talks, 6,000 authorships), 80 times OpML '20.
LARGE_PROGRAM = {"days": 20, "sessions_per_day": 5, "talks_per_session": 20}
# The program with parallel sessions that tests lay out side by side: 2 days of 4 sessions in 2
# parallel tracks, 2 talks each.
PARALLEL_PROGRAM = {"days": 2, "sessions_per_day": 4, "talks_per_session": 2, "parallel": 2}


class Command(BaseCommand):
    help = "Create a published synthetic conference of the given size (for tests and benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--slug", default="synthetic")
        parser.add_argument("--days", type=int, default=10)
        parser.add_argument("--sessions-per-day", type=int, default=4)
        parser.add_argument("--talks-per-session", type=int, default=5)
        parser.add_argument("--authors-per-talk", type=int, default=3)
        parser.add_argument("--time-zone", default="America/Los_Angeles")
        parser.add_argument(
            "--parallel",
            type=int,
            default=1,
            help="Sessions on at the same time in each slot (tracks; default 1).",
        )
        parser.add_argument(
            "--start-date",
            type=date.fromisoformat,
            default=date(2030, 3, 4),
            help="First day (ISO date); the default spans the US DST change of 2030.",
        )

    @transaction.atomic
    def handle(self, *args, **options):
        slug = options["slug"]
        if Conference.objects.filter(slug=slug).exists():
            raise CommandError(f"A conference with slug “{slug}” already exists.")
        if options["parallel"] < 1:
            raise CommandError("--parallel must be at least 1.")
        if not 1 <= options["sessions_per_day"] <= 7 * options["parallel"]:
            raise CommandError(
                "--sessions-per-day must be 1 to 7 times --parallel (two-hour slots from 9:00)."
            )
        tz = ZoneInfo(options["time_zone"])
        conference = Conference.objects.create(
            name=f"Synthetic conference {slug}",
            slug=slug,
            time_zone=options["time_zone"],
            intro="A generated program for tests and benchmarks.",
            is_published=True,
        )
        talks_per_session = options["talks_per_session"]
        authors_per_talk = options["authors_per_talk"]
        sessions, talks = [], []
        for day_index in range(options["days"]):
            day = Day.objects.create(
                conference=conference, date=options["start_date"] + timedelta(days=day_index)
            )
            for index in range(options["sessions_per_day"]):
                # With --parallel N, N sessions share each two-hour slot (the second track
                # starting half an hour later, so their times overlap without being equal).
                slot, track = divmod(index, options["parallel"])
                number = len(sessions) + 1
                start = datetime.combine(day.date, time(9 + 2 * slot, 30 * (track % 2)), tzinfo=tz)
                sessions.append(
                    Session(
                        conference=conference,
                        day=day,
                        number=number,
                        order=number,
                        title=f"Synthetic session {number}",
                        description=f"Generated session {number}.\n\nA second paragraph.",
                        start=start,
                        end=start + timedelta(minutes=90),
                        slack_url=f"https://example.org/{slug}/session-{number}",
                        is_published=True,
                    )
                )
        Session.objects.bulk_create(sessions)
        for session in sessions:
            for order in range(talks_per_session):
                number = len(talks) + 1
                talks.append(
                    Talk(
                        session=session,
                        order=order,
                        slug=f"{slug}-talk-{number}",
                        title=f"Synthetic talk {number}",
                        abstract=f"Abstract of synthetic talk {number}.\n\nSecond paragraph.",
                        has_media=True,
                        is_published=True,
                    )
                )
        Talk.objects.bulk_create(talks)
        affiliations = Affiliation.objects.bulk_create(
            Affiliation(name=f"Synthetic organisation {slug} {i}", slug=f"{slug}-org-{i}")
            for i in range(1, max(2, len(talks) // 10) + 1)
        )
        speakers = Speaker.objects.bulk_create(
            Speaker(
                name=f"Speaker {slug} {i}",
                slug=f"{slug}-speaker-{i}",
                bio=f"Bio of speaker {i}.",
                affiliation=affiliations[i % len(affiliations)],
            )
            for i in range(1, len(talks) * authors_per_talk // 2 + 2)
        )
        Authorship.objects.bulk_create(
            Authorship(
                talk=talk,
                position=position,
                speaker=speakers[(index * authors_per_talk // 2 + position) % len(speakers)],
                affiliation=affiliations[(index + position) % len(affiliations)],
            )
            for index, talk in enumerate(talks)
            for position in range(authors_per_talk)
        )
        revisions.record_changes([conference.pk])  # bulk_create sends no signals
        self.stdout.write(
            f"Created {conference}: {len(sessions)} sessions, {len(talks)} talks, "
            f"{len(speakers)} speakers, {len(affiliations)} affiliations."
        )


# The program text the importer's benchmark times and its query-count test uses at two sizes: 50
# days of 4 sessions of 50 talks (10,000 talks, about 1.1 MB), in the OpML '20 seed's format.
LARGE_PROGRAM_TEXT = {"days": 50, "sessions_per_day": 4, "talks_per_session": 50}


def program_text(*, days, sessions_per_day, talks_per_session, authors_per_talk=3):
    """A synthetic program text in USENIX's format (the seed's), for the importer's benchmark and
    tests: "Bench '30", from Monday, June 3, 2030 in PDT, up to 4 sessions a day, people shared
    between talks (one in five with a bio, printed under their first talk) and 1 organisation
    for every 20 talks."""
    speakers = max(authors_per_talk, days * sessions_per_day * talks_per_session // 2)
    affiliations = max(authors_per_talk + 1, days * sessions_per_day * talks_per_session // 20)
    lines = [
        "Bench '30 Conference Program",
        "A generated program for the importer's benchmark.",
        "All the times listed below are in Pacific Daylight Time (PDT).",
    ]
    with_bio, talk, session = set(), 0, 0
    for day_index in range(days):
        day = date(2030, 6, 3) + timedelta(days=day_index)
        lines.append(f"{day:%A, %B} {day.day}")
        for slot in range(sessions_per_day):
            session += 1
            start = time(9 + 2 * slot)
            end = time(10 + 2 * slot, 30)
            lines += [
                f"{start:%I:%M %p}–{end:%I:%M %p}".lower().lstrip("0").replace("–0", "–"),
                f"Session {session}: Generated session {session}",
                f"Generated session {session}, described in one paragraph.",
                f"Join the discussion on the Session {session} Slack channel.",
            ]
            for _ in range(talks_per_session):
                talk += 1
                authors = [
                    (f"Person {(talk * 7 + i * 13) % speakers}", (talk + i) % affiliations)
                    for i in range(authors_per_talk)
                ]
                lines += [
                    f"Generated talk {talk}",
                    "; ".join(f"{name}, Org {org}" for name, org in authors),
                    "Available Media",
                    f"Abstract of talk {talk}.",
                ]
                name, org = authors[0]
                if talk % 5 == 0 and name not in with_bio:
                    with_bio.add(name)
                    lines += [f"{name}, Org {org}", f"{name} gives generated talks."]
    return "\n\n".join(lines) + "\n"
