"""The committee's group survives what empties the database's tables (a test that commits ends
with a flush), and a group the site's administrators changed is left as they made it."""

from django.contrib.auth.models import Group
from django.core.management.sql import emit_post_migrate_signal

from program.committee import GROUP_NAME


def permissions_of(group):
    return set(group.permissions.values_list("content_type__app_label", "codename"))


def test_a_missing_group_is_made_again_as_the_migrations_made_it(db):
    migrated = permissions_of(Group.objects.get(name=GROUP_NAME))
    assert ("program", "change_talk") in migrated
    assert ("selfservice", "change_proposal") in migrated
    assert not any(app == "auth" for app, _ in migrated)
    Group.objects.filter(name=GROUP_NAME).delete()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert permissions_of(Group.objects.get(name=GROUP_NAME)) == migrated


def test_an_existing_group_is_left_as_it_is(db):
    group = Group.objects.get(name=GROUP_NAME)
    group.permissions.clear()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert permissions_of(group) == set()
