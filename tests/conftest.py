"""Shared fixtures: the real OpML '20 program and a generated large one."""

import io
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command

from program.management.commands.generate_program import LARGE_PROGRAM, PARALLEL_PROGRAM
from program.models import Conference
from tests.factories import make_committee_member

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "fixtures" / "opml20-program.txt"


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
    """A published synthetic conference of 2,000 talks (100 sessions of 20), 6,000 authorships."""
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
    """A published synthetic conference ("tracks") whose sessions 1 and 2 run in parallel."""
    call_command("generate_program", slug="tracks", stdout=io.StringIO(), **PARALLEL_PROGRAM)
    return Conference.objects.get(slug="tracks")
