"""The large program is built once per worker and shared (tests/conftest.py): what a test
changes in it does not reach the next test, and rolling it back leaves nothing behind."""

import pytest

from program.models import Conference, Session, Talk


@pytest.mark.parametrize("turn", [1, 2])
def test_a_change_to_the_shared_program_does_not_reach_the_next_test(large_program, turn):
    # Whichever turn runs second would see the first one's deletions if they leaked.
    assert Session.objects.filter(conference=large_program).count() == 100
    assert Talk.objects.filter(session__conference=large_program).count() == 2000
    Session.objects.filter(conference=large_program, number__lte=10 * turn).delete()
    large_program.name = f"Renamed in turn {turn}"
    large_program.save()
    assert Talk.objects.filter(session__conference=large_program).count() == 2000 - 200 * turn


def test_rolling_the_shared_program_back_leaves_nothing(shared_large_program, django_db_blocker):
    """What keeps it from the tests that did not ask for it (no `db` here: this test handles
    the worker's outer transaction itself)."""
    shared_large_program.drop()
    with django_db_blocker.unblock():
        assert not Conference.objects.exists()
    shared_large_program.build()
    with django_db_blocker.unblock():
        assert Talk.objects.filter(session__conference__slug="large").count() == 2000
    shared_large_program.drop()
    with django_db_blocker.unblock():
        assert not Conference.objects.exists()
        assert not Talk.objects.exists()
