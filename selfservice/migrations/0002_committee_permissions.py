"""Let the "Program committee" group review proposals and see and revoke links."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Program committee"
CODENAMES = ["view_proposal", "change_proposal", "view_speakerlink", "change_speakerlink"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("selfservice")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=GROUP_NAME).first()
    if group:
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="selfservice", codename__in=CODENAMES
            )
        )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="selfservice")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("selfservice", "0001_initial"),
        ("program", "0002_program_committee_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
