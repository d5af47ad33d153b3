"""Reads never write; the bookkeeping (calendar revisions, versions, change log) happens where the
program changes, and SEQUENCE only ever rises, also under concurrent edits."""

import itertools
import threading
import time
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse

from program import revisions
from program.importer import apply_program
from program.models import ChangeLogEntry, Conference, EventRevision, ProgramVersion, Session, Talk
from program.parser import parse_program
from program.picks import encode_picks
from speakers.models import Speaker

# Versions are what the public cache's keys are made of: a read served from it must not write,
# and an edit must reach the next read.
pytestmark = pytest.mark.cache

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")


@contextmanager
def no_writes():
    """Fail on any statement that writes, run through Django's connection."""

    def guard(execute, sql, params, many, context):
        assert not sql.lstrip().upper().startswith(WRITES), f"a read wrote: {sql[:200]}"
        return execute(sql, params, many, context)

    with connection.execute_wrapper(guard):
        yield


def public_urls(conference):
    """One URL of every kind the public reads: pages, feeds, sitemap, search."""
    session = Session.objects.filter(conference=conference).order_by("number").first()
    talk = Talk.objects.filter(session=session).first()
    authorship = talk.authorships.select_related("speaker", "affiliation").first()
    return [
        reverse("program:home"),
        conference.get_absolute_url(),
        session.get_absolute_url(),
        talk.get_absolute_url(),
        authorship.speaker.get_absolute_url(),
        authorship.affiliation.get_absolute_url(),
        reverse("program:search") + "?q=learning",
        "/sitemap.xml",
        reverse("program:changes", kwargs={"slug": conference.slug}),
        reverse("program:changes_feed", kwargs={"slug": conference.slug}),
        conference.get_calendar_url(),
        session.get_calendar_url(),
        talk.get_calendar_url(),
        reverse("feeds:speaker", kwargs={"slug": authorship.speaker.slug}),
        reverse("feeds:picks", kwargs={"token": encode_picks([session.uid, talk.uid])}),
    ]


def read_everything(client, urls, **headers):
    for url in urls:
        for method in (client.get, client.head):
            with no_writes():
                response = method(url, **headers)
            assert response.status_code in (200, 302, 304), (url, response.status_code)


def test_get_and_head_never_write(client, member_client, opml20):
    urls = public_urls(opml20)
    read_everything(client, urls)  # first reads: nothing recorded on the way
    # After edits of every kind, reads still only read.
    session = Session.objects.get(conference=opml20, number=2)
    session.title = "Retitled session"
    session.save()
    talk = Talk.objects.filter(session__conference=opml20).last()
    talk.is_published = False
    talk.save()
    speaker = Speaker.objects.filter(authorships__talk__session__conference=opml20).first()
    speaker.name = "Renamed speaker"
    speaker.save()
    read_everything(client, urls)
    read_everything(client, urls, HTTP_IF_NONE_MATCH='"stale"')
    # Staff previews read too.
    read_everything(member_client, urls[1:4])


def test_feeds_show_what_was_recorded_on_write(client, opml20):
    session = Session.objects.get(conference=opml20, number=3)
    revision = EventRevision.objects.get(uid=session.uid)
    assert revision.sequence == 0
    session.title = "Moved on"
    session.save()
    revision.refresh_from_db()
    assert revision.sequence == 1
    assert revision.snapshot["summary"] == "Session 3: Moved on"
    # Saving without a visible change keeps the SEQUENCE.
    session.save()
    revision.refresh_from_db()
    assert revision.sequence == 1


def test_loading_the_reference_program_records_every_event_once(opml20):
    assert set(EventRevision.objects.values_list("sequence", flat=True)) == {0}
    published = Session.objects.published().count() + Talk.objects.published().count()
    assert EventRevision.objects.count() == published
    entries = list(ChangeLogEntry.objects.filter(conference=opml20))
    assert [entry.kind for entry in entries] == [ChangeLogEntry.Kind.PUBLISHED]


def test_a_reimport_of_the_same_program_changes_nothing(opml20, seed_text):
    before = dict(EventRevision.objects.values_list("uid", "sequence"))
    apply_program(parse_program(seed_text), "opml20", publish=True)
    assert dict(EventRevision.objects.values_list("uid", "sequence")) == before
    assert ChangeLogEntry.objects.count() == 1


def test_bulk_actions_and_commands_record_their_changes(admin_client, opml20):
    session = Session.objects.get(conference=opml20, number=4)
    version = ProgramVersion.objects.get(conference=opml20).number
    response = admin_client.post(
        reverse("admin:program_session_changelist"),
        {"action": "unpublish", "_selected_action": [session.pk]},
    )
    assert response.status_code == 302
    revision = EventRevision.objects.get(uid=session.uid)
    assert revision.withdrawn_at is not None
    assert revision.sequence == 1
    assert ProgramVersion.objects.get(conference=opml20).number > version
    assert ChangeLogEntry.objects.filter(kind="withdrawn", uid=session.uid).exists()


def test_an_admin_save_with_inlines_records_once(admin_client, opml20):
    talk = Talk.objects.filter(session__conference=opml20, session__number=1).first()
    revision = EventRevision.objects.get(uid=talk.uid)
    url = reverse("admin:program_talk_change", args=[talk.pk])
    page = admin_client.get(url)
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in (form.initial | {"title": "A better title"}).items()
        if value is not None and not isinstance(value, list)
    }
    data |= {
        "session": talk.session_id,
        "is_published": "on",
        "has_media": "on" if talk.has_media else "",
    }
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        prefix = formset.formset.prefix
        data |= {f"{prefix}-{k}": v for k, v in management.initial.items()}
        for index, inline_form in enumerate(formset.formset.forms):
            for name, field in inline_form.fields.items():
                value = inline_form.initial.get(name, field.initial)
                if value is not None:
                    data[f"{prefix}-{index}-{name}"] = getattr(value, "pk", value)
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    revision.refresh_from_db()
    assert revision.sequence == 1
    assert revision.snapshot["summary"] == "A better title"


def test_sequence_rises_with_each_change_and_never_repeats(opml20):
    session = Session.objects.get(conference=opml20, number=5)
    seen = {}
    for index in range(5):
        session.title = f"Title {index}"
        session.save()
        revision = EventRevision.objects.get(uid=session.uid)
        assert revision.sequence not in seen
        seen[revision.sequence] = revision.content_hash
        revisions.record_changes([opml20.pk])  # recording again changes nothing
        assert EventRevision.objects.get(uid=session.uid).sequence == revision.sequence
    assert sorted(seen) == [1, 2, 3, 4, 5]
    assert len(set(seen.values())) == 5


def test_the_change_log_says_what_attendees_see(opml20):
    talk = Talk.objects.filter(session__conference=opml20, session__number=1).first()
    other = Session.objects.get(conference=opml20, number=2)
    talk.title = "Renamed talk"
    talk.save()
    talk.session = other
    talk.save()
    talk.authorships.last().delete()
    session = Session.objects.get(conference=opml20, number=3)
    session.start = session.start.replace(hour=session.start.hour + 1)
    session.end = session.end.replace(hour=session.end.hour + 1)
    session.save()
    kinds = [entry.kind for entry in ChangeLogEntry.objects.filter(conference=opml20)]
    assert kinds == ["rescheduled", "speakers", "moved", "retitled", "published"]
    texts = [entry.text for entry in ChangeLogEntry.objects.filter(conference=opml20)]
    assert "now starts Thu Jul 30, 10:00 PDT" in texts[0]
    assert "moved to Session 2" in texts[2]


# --- Concurrency (PostgreSQL: SQLite has one writer at a time by design) --------------------------

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks under concurrent transactions need PostgreSQL; SQLite serialises writers",
)


def in_thread(target, *args):
    errors = []

    def run():
        try:
            target(*args)
        except BaseException as error:  # report it in the test's thread
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


def waiting_for_a_lock():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        return cursor.fetchone()[0]


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_interleaved_updaters_take_turns(opml20):
    """A retitles the session and holds the conference's lock; B edits one of its talks and has
    to wait; once A commits, B's recording sees A's change: SEQUENCE 1 then 2, never 1 twice."""
    session = Session.objects.get(conference=opml20, number=1)
    talk = session.talks.first()
    a_locked, a_go = threading.Event(), threading.Event()
    original = revisions.record_conference

    def slow_record(conference, now):
        if threading.current_thread().name == "A":
            a_locked.set()
            assert a_go.wait(10)
        original(conference, now)

    def updater_a():
        threading.current_thread().name = "A"
        with transaction.atomic():
            Session.objects.filter(pk=session.pk).update(title="Title by A")
            revisions.record_changes([opml20.pk])

    def updater_b():
        with transaction.atomic():
            Talk.objects.filter(pk=talk.pk).update(title="Talk title by B")
            revisions.record_changes([opml20.pk])

    revisions.record_conference = slow_record
    try:
        thread_a, errors_a = in_thread(updater_a)
        assert a_locked.wait(10)
        thread_b, errors_b = in_thread(updater_b)
        deadline = time.monotonic() + 10
        while not waiting_for_a_lock() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert waiting_for_a_lock(), "B should wait for A's lock"
        a_go.set()
        thread_a.join(10)
        thread_b.join(10)
    finally:
        revisions.record_conference = original
    assert not errors_a, errors_a
    assert not errors_b, errors_b
    revision = EventRevision.objects.get(uid=session.uid)
    assert revision.sequence == 2
    assert revision.snapshot["summary"] == "Session 1: Title by A"
    assert "Talk title by B" in revision.snapshot["description"]
    # The talk's event names its session: A's retitle, then B's.
    talk_revision = EventRevision.objects.get(uid=talk.uid)
    assert talk_revision.sequence == 2
    assert talk_revision.snapshot["summary"] == "Talk title by B"


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_parallel_editors_never_reuse_a_sequence(opml20):
    """Four threads retitle the same session ten times each, in parallel: every retitle gets its
    own SEQUENCE, and the change log chains each old title to the next."""
    session = Session.objects.get(conference=opml20, number=6)
    threads, errors = [], []

    def editor(name):
        for index in range(10):
            with revisions.deferred():
                locked = Session.objects.select_for_update().get(pk=session.pk)
                locked.title = f"{name} {index}"
                locked.save()

    for name in "ABCD":
        thread, thread_errors = in_thread(editor, name)
        threads.append(thread)
        errors.append(thread_errors)
    for thread in threads:
        thread.join(60)
    assert not any(errors), errors
    revision = EventRevision.objects.get(uid=session.uid)
    assert revision.sequence == 40
    retitles = list(ChangeLogEntry.objects.filter(uid=session.uid, kind="retitled").order_by("pk"))
    assert len(retitles) == 40
    previous = f"Session 6: {Session.objects.get(pk=session.pk).title}"
    titles = [entry.text.split("“")[2].split("”")[0] for entry in retitles]
    assert len(set(titles)) == 40
    assert titles[-1] == previous
    for before, after in itertools.pairwise(retitles):
        assert before.text.split("“")[2].split("”")[0] == after.text.split("“")[1].split("”")[0]


def test_a_conference_deleted_takes_its_bookkeeping_with_it(opml20):
    Conference.objects.all().delete()
    assert not EventRevision.objects.exists()
    assert not ChangeLogEntry.objects.exists()
    call_command("loaddata", "opml20", verbosity=0)
    assert set(EventRevision.objects.values_list("sequence", flat=True)) == {0}
