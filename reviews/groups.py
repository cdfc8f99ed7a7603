"""The Authors, Editors and Moderators groups, kept in step with their permissions after every migrate.

Authors write and edit their own reviews (the admin limits them to their own) and keep the film
database up to date; Editors may edit and publish anyone's review, and see the outbox (every email
the site sends) and try a given-up email again. Moderators get nothing here: the comments app gives
them the comment queue.

This runs on post_migrate rather than in a data migration so that the groups also come back after
a test flush, and pick up the permissions of models added later.
"""

from django.contrib.auth.models import Group, Permission

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


def grant(group_name: str, app_label: str, codenames, using="default") -> None:
    """Give a group (created if missing) these permissions of one app; the comments app uses it too."""
    group, _ = Group.objects.using(using).get_or_create(name=group_name)
    group.permissions.add(
        *Permission.objects.using(using).filter(content_type__app_label=app_label, codename__in=codenames)
    )


def sync_groups(using="default", **kwargs):
    for name, models in GROUPS.items():
        grant(
            name, "reviews", [codename(action, model) for model, actions in models.items() for action in actions], using
        )
