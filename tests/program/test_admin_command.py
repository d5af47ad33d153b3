"""`manage.py add_committee_member`: the documented way to give someone the committee's rights."""

import io
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests import tools


def run(*args):
    out = io.StringIO()
    call_command("add_committee_member", *args, stdout=out)
    return out.getvalue()


def test_a_new_member_can_curate_the_program(db, client, django_user_model):
    output = run("ada", "--email", "ada@example.org")
    user = django_user_model.objects.get(username="ada")
    assert user.is_staff
    assert not user.is_superuser
    assert not user.has_usable_password()
    assert "changepassword ada" in output
    assert user.groups.filter(name="Program committee").exists()
    client.force_login(user)
    assert client.get(reverse("admin:program_talk_changelist")).status_code == 200
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403


def test_an_existing_user_keeps_their_password(db, django_user_model):
    user = django_user_model.objects.create_user("bo", password="a long passphrase")
    output = run("bo")
    user.refresh_from_db()
    assert user.is_staff
    assert user.check_password("a long passphrase")
    assert "changepassword" not in output
    run("bo")  # twice is harmless
    assert user.groups.count() == 1


def test_remove_takes_away_the_rights(db, client, django_user_model):
    run("cy")
    run("cy", "--remove")
    user = django_user_model.objects.get(username="cy")
    assert not user.is_staff
    assert not user.groups.exists()


def test_remove_of_an_unknown_user_is_an_error(db):
    with pytest.raises(CommandError, match="no user"):
        run("nobody", "--remove")


def test_without_the_group_it_says_to_migrate(db):
    Group.objects.filter(name="Program committee").delete()
    with pytest.raises(CommandError, match="migrate"):
        run("dee")


def test_a_member_without_password_is_told_the_project_python_command(db, monkeypatch, settings):
    monkeypatch.setattr("sys.executable", str(settings.BASE_DIR / ".venv" / "bin" / "python"))
    output = run("grace")
    assert "grace has no password yet" in output
    assert "    .venv/bin/python manage.py changepassword grace\n" in output
    monkeypatch.setattr("sys.executable", "/usr/bin/python3")
    assert "/usr/bin/python3 manage.py changepassword grace" in run("grace")


def test_make_serve_takes_its_address_and_installs_only_the_runtime():
    """The Makefile as make reads it (-n: print, do not run; -B: as if nothing were built)."""
    make = tools.which("make", "make is not installed (apt-get install make)")
    root = Path(__file__).resolve().parents[2]

    def commands(*args):
        result = subprocess.run(
            [make, "-n", "-B", *args], cwd=root, capture_output=True, text=True, check=True
        )
        return result.stdout

    serve = commands("serve", "ADDR=127.0.0.1:8811")
    assert "manage.py runserver 127.0.0.1:8811" in serve
    assert "pip install --quiet -e .\n" in serve
    assert ".[dev]" not in serve
    assert "http://127.0.0.1:8811/admin/" in serve
    assert "manage.py createsuperuser" in serve
    assert "runserver 127.0.0.1:8000" in commands("serve")
    assert '-e ".[dev]"' in commands("test")
    preview = commands("preview", "ADDR=127.0.0.1:8812")
    assert "DEBUG=false SECURE_SSL_REDIRECT=false" in preview
    assert "collectstatic --noinput" in preview
    assert "gunicorn -c deploy/gunicorn.conf.py --bind 127.0.0.1:8812" in preview
