"""The "Program committee" group: staff who curate conferences, the program and speakers, and
review what speakers propose, with no rights over users, groups or permissions.

Migrations program/0002 and selfservice/0002 made it on every database that exists. After every
`migrate` (and so after the flush that ends a test that commits), `restore_committee_group`
makes it again when it is missing, as those migrations first made it. A group that exists is
left as the site's administrators have shaped it.
"""

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db.models import Q

GROUP_NAME = "Program committee"
CURATED_MODELS = {
    "program": ["conference", "day", "session", "talk"],
    "speakers": ["affiliation", "speaker", "authorship"],
}
ACTIONS = ["add", "change", "delete", "view"]
REVIEW_PERMISSIONS = {
    "selfservice": ["view_proposal", "change_proposal", "view_speakerlink", "change_speakerlink"]
}


def committee_permissions():
    """A Q on Permission for everything the group is first given."""
    granted = {
        app: [f"{action}_{model}" for model in models for action in ACTIONS]
        for app, models in CURATED_MODELS.items()
    } | REVIEW_PERMISSIONS
    query = Q(pk__in=[])
    for app, codenames in granted.items():
        query |= Q(content_type__app_label=app, codename__in=codenames)
    return query


def restore_committee_group(sender, using="default", **kwargs):
    """post_migrate: once the last app with models has its permissions (Django makes them in the
    same signal, first), make the group if it is missing."""
    last = [config for config in apps.get_app_configs() if config.models_module][-1]
    if sender.label != last.label or Group.objects.using(using).filter(name=GROUP_NAME).exists():
        return
    group = Group.objects.using(using).create(name=GROUP_NAME)
    group.permissions.set(Permission.objects.using(using).filter(committee_permissions()))
