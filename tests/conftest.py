"""Shared fixtures: the real OpML '20 program and a generated large one, and the rules that let
the suite run on several workers (docs/contributors/test-speed.md)."""

import io
import itertools
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings

from program.management.commands.generate_program import LARGE_PROGRAM, PARALLEL_PROGRAM
from program.models import Conference
from tests.factories import make_committee_member

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "fixtures" / "opml20-program.txt"
LARGE = "large_program"


def wants_large_program(item):
    """Whether a test uses the large program: as an argument, or as the value of a parameter
    that the test turns into a fixture with request.getfixturevalue (the size pairs)."""
    params = getattr(getattr(item, "callspec", None), "params", {})
    return LARGE in item.fixturenames or LARGE in params.values()


def is_transactional(item):
    """As pytest-django decides it: such a test commits, so it cannot see an outer transaction."""
    marker = item.get_closest_marker("django_db")
    flagged = marker is not None and (
        marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")
    )
    return bool(flagged) or {"transactional_db", "live_server"} & set(item.fixturenames)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """The tests that share the large program run one after another: after the other tests of
    their module (pytest-django's later, stable sort of the transactional tests after the others
    keeps that order), and `make test`'s --dist loadscope keeps a module on one worker. (xdist's
    loadgroup would gather them all on one worker, but pytest-xdist 3.8 cannot set its groups
    with pytest 9.2, whose node ids it no longer writes.)"""
    ordered = []
    for _, run in itertools.groupby(items, key=lambda item: item.path):
        run = list(run)
        ordered += sorted(run, key=wants_large_program)  # stable: users last, in their order
    items[:] = ordered


class SharedProgram:
    """The large program, built once per worker and kept while consecutive tests ask for it.

    It is built inside an outer transaction that stays open between those tests; each test's
    own transaction (pytest-django's `db`) is a savepoint inside it, so what a test changes is
    rolled back before the next one. The first test that does not ask for it (or any test that
    commits) rolls the outer transaction back first: nobody else ever sees the program. This is
    Django's TestCase.setUpTestData, per worker; it needs nothing of SQLite or PostgreSQL but
    transactions, so it works on both alike (a copied database, SQLite's backup API or
    PostgreSQL's CREATE DATABASE … TEMPLATE, would need code for each). A run builds it about
    once per module that uses it, instead of once per test."""

    def __init__(self, blocker):
        self.blocker = blocker
        self.atomic = None

    def build(self):
        with self.blocker.unblock():
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            call_command("generate_program", slug="large", stdout=io.StringIO(), **LARGE_PROGRAM)

    def drop(self):
        if self.atomic is not None:
            with self.blocker.unblock():
                transaction.set_rollback(True)
                self.atomic.__exit__(None, None, None)
            self.atomic = None


_SHARED = pytest.StashKey[SharedProgram]()


@pytest.fixture(scope="session")
def shared_large_program(request, django_db_setup, django_db_blocker):
    """The worker's SharedProgram (tests use `large_program`; this is for the fixtures above
    and the test of the sharing itself)."""
    shared = request.config.stash[_SHARED] = SharedProgram(django_db_blocker)
    yield shared
    shared.drop()  # before the test database is destroyed
    del request.config.stash[_SHARED]


@pytest.fixture
def _large_program_scope(request):
    """Builds the shared large program for a test that wants it, and rolls it back before a test
    that does not, before the test's own transaction opens (see `_django_db_helper` below)."""
    if wants_large_program(request.node) and not is_transactional(request.node):
        shared = request.getfixturevalue("shared_large_program")
        if shared.atomic is None:
            shared.build()
    elif _SHARED in request.config.stash:
        request.config.stash[_SHARED].drop()


@pytest.fixture
def _django_db_helper(_large_program_scope, _django_db_helper):
    """pytest-django's fixture behind `db`, `transactional_db` and the django_db marker, which
    opens each test's transaction: the shared large program is settled first. (A test that uses
    no database cannot see the program, so it is left as it is for those.)"""
    return _django_db_helper


@pytest.fixture(autouse=True, scope="session")
def _quick_password_hashing():
    """Passwords hashed with a quick hasher in this process: Django's default takes most of a
    second per hash here, and over two hundred tests make a user with a password. What the
    tests check of passwords (right, wrong, throttled) does not depend on the algorithm; the
    servers that tests start in subprocesses (tests/test_http.py) keep Django's default."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty public cache (keys never repeat across tests anyway: each
    version has a random token)."""
    cache.clear()


@pytest.fixture
def seed_text():
    """The OpML '20 program exactly as published (a copy of the shared seed, kept identical by
    tests/test_fixture.py)."""
    return SEED.read_text(encoding="utf-8")


@pytest.fixture
def opml20(db):
    """The OpML '20 conference, loaded from fixtures/opml20.json."""
    call_command("loaddata", "opml20", verbosity=0)
    return Conference.objects.get(slug="opml20")


@pytest.fixture
def large_program(db):
    """A published synthetic conference of 2,000 talks (100 sessions of 20), 6,000 authorships:
    the worker's shared one (SharedProgram above), or, for a test that commits (live server,
    transactional_db), one of its own."""
    if not Conference.objects.filter(slug="large").exists():
        call_command("generate_program", slug="large", stdout=io.StringIO(), **LARGE_PROGRAM)
    return Conference.objects.get(slug="large")


@pytest.fixture
def member(django_user_model):
    """A program committee member (staff, in the group, not a superuser)."""
    return make_committee_member(django_user_model)


@pytest.fixture
def member_client(client, member):
    """A test client logged in as a program committee member."""
    client.force_login(member)
    return client


@pytest.fixture
def parallel_program(db):
    """A published synthetic conference ("tracks") whose sessions 1 and 2 run in parallel (small:
    built for each test that asks, in its own transaction)."""
    call_command("generate_program", slug="tracks", stdout=io.StringIO(), **PARALLEL_PROGRAM)
    return Conference.objects.get(slug="tracks")
