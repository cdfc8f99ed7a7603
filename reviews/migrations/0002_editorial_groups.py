"""The Authors, Editors and Moderators groups, with their permissions.

Authors write and edit their own reviews (the admin limits them to their own) and keep the film
database up to date; Editors may edit and publish anyone's review; Moderators get
nothing here yet (the comments app gives them the comment queue).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

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
    },
    "Editors": {
        "review": [*ALL, "edit_any"],
        "reviewaspect": ALL,
        "film": ALL,
        "person": ALL,
        "credit": ALL,
        "genre": ALL,
        "franchise": ALL,
    },
    "Moderators": {},  # the comments app adds the comment queue
}


def codename(action: str, model: str) -> str:
    return "edit_any_review" if action == "edit_any" else f"{action}_{model}"


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations ran; make them exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, models in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = [codename(action, model) for model, actions in models.items() for action in actions]
        perms = Permission.objects.filter(content_type__app_label="reviews", codename__in=wanted)
        group.permissions.add(*perms)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
