"""`manage.py add_committee_member USERNAME`: let a person curate the program in the admin.

Makes the user staff (creating them if needed) and puts them in the "Program committee" group,
which program/committee.py describes. `--remove` takes them out of it again.
"""

import shlex
import sys
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from program.committee import GROUP_NAME


class Command(BaseCommand):
    help = (
        "Add a user to the program committee: staff status and the “Program committee” group, "
        "which may curate conferences, the program and speakers, and nothing else."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="", help="E-mail address, for a new user.")
        parser.add_argument(
            "--remove",
            action="store_true",
            help="Take the user out of the committee instead (they stay staff only if they "
            "belong to another group or are a superuser).",
        )

    @transaction.atomic
    def handle(self, *args, username, email, remove, **options):
        try:
            group = Group.objects.get(name=GROUP_NAME)
        except Group.DoesNotExist as error:
            raise CommandError(
                f"There is no “{GROUP_NAME}” group: run `manage.py migrate` first."
            ) from error
        User = get_user_model()
        user = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
        if remove:
            if user is None:
                raise CommandError(f"There is no user “{username}”.")
            user.groups.remove(group)
            if not user.is_superuser and not user.groups.exists():
                user.is_staff = False
                user.save(update_fields=["is_staff"])
            self.stdout.write(f"{username} is no longer on the program committee.")
            return
        created = user is None
        if created:
            user = User(**{User.USERNAME_FIELD: username}, email=email)
            user.set_unusable_password()
        user.is_staff = True
        user.save()
        user.groups.add(group)
        self.stdout.write(f"{username} is on the program committee and may log in to the admin.")
        if created or not user.has_usable_password():
            command = f"{project_python()} manage.py changepassword {shlex.quote(username)}"
            self.stdout.write(
                f"{username} has no password yet, so cannot log in. Set one with:\n"
                f"    {command}\n"
                "(run it in the project's directory; it asks for the password twice)."
            )


def project_python():
    """The Python running this command, as typed from the project's directory: `.venv/bin/python`
    for the project's own environment, else its full path."""
    executable = Path(sys.executable)
    try:
        return str(executable.relative_to(Path(settings.BASE_DIR)))
    except ValueError:
        return shlex.quote(str(executable))
