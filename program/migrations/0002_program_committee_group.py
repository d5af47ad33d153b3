"""Create the "Program committee" group: everything needed to curate conferences, the program
and speakers, and nothing over users, groups or permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Program committee"
CURATED_MODELS = {
    "program": ["conference", "day", "session", "talk"],
    "speakers": ["affiliation", "speaker", "authorship"],
}
ACTIONS = ["add", "change", "delete", "view"]


def create_group(apps, schema_editor):
    # Permissions are normally made after all migrations run; make them now so the group can
    # hold them on a fresh database.
    for app_label in CURATED_MODELS:
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True  # the historical app stub lacks it
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    codenames = [
        f"{action}_{model}" for models in CURATED_MODELS.values() for model in models
        for action in ACTIONS
    ]
    permissions = Permission.objects.filter(
        content_type__app_label__in=list(CURATED_MODELS), codename__in=codenames
    )
    group.permissions.set(permissions)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("program", "0001_initial"),
        ("speakers", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
