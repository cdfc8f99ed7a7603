"""The Authors, Editors and Moderators groups, kept in step with their permissions after every migrate.

Authors write and edit their own reviews (the admin limits them to their own) and keep the film
database up to date; Editors may edit and publish anyone's review, and see the outbox (every email
the site sends) and try a given-up email again. Moderators get nothing here: the comments app gives
them the comment queue.

This runs on post_migrate rather than in a data migration so that the groups also come back after
a test flush, and pick up the permissions of models added later.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models.signals import post_migrate

ALL = ["add", "change", "delete", "view"]
GROUPS = {
    "Authors": {
        "review": ALL,
        "reviewaspect": ALL,
        "film": ["add", "change", "view"],
        "person": ["add", "change", "view"],
        "credit": ALL,
        "genre": ["view"],
        "franchise": ["view"],
        "authorprofile": ["view", "change"],  # their own only (the admin filters)
    },
    "Editors": {
        "review": [*ALL, "edit_any"],
        "reviewaspect": ALL,
        "film": ALL,
        "person": ALL,
        "credit": ALL,
        "genre": ALL,
        "franchise": ALL,
        "authorprofile": ALL,
        "outgoingemail": ["view", "change"],  # change: "try again" (the admin shows it read-only)
    },
    "Moderators": {},
}


def codename(action: str, model: str) -> str:
    return "edit_any_review" if action == "edit_any" else f"{action}_{model}"


def keep_granted(app_config, permissions: dict[str, dict[str, list[str]]]) -> None:
    """After every migrate of this app, give each group (created if missing) its permissions, as
    {group: {app_label: [codename, …]}}. Every app that gives its permissions to a group calls this from ready()."""

    def grant(using="default", **kwargs):
        for group_name, apps in permissions.items():
            group, _ = Group.objects.using(using).get_or_create(name=group_name)
            for app_label, codenames in apps.items():
                group.permissions.add(
                    *Permission.objects.using(using).filter(content_type__app_label=app_label, codename__in=codenames)
                )

    post_migrate.connect(grant, sender=app_config, weak=False, dispatch_uid=f"{app_config.label}.keep_granted")


# What keep_granted gives the groups of this app's permissions.
PERMISSIONS = {
    name: {"reviews": [codename(action, model) for model, actions in models.items() for action in actions]}
    for name, models in GROUPS.items()
}
