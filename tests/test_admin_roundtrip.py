"""Every admin form, saved exactly as a browser sends it, changes nothing.

For each model the admin registers (a model registered later is covered by itself), each demo
object and each role that may change it: open the change page, read the form as a browser would
(tests/browser_form.py), press Save, and compare the object and its inline rows field by field.
"""

import pytest
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.auth import get_user_model
from django.db.models.fields.files import FieldFile
from django.forms.models import _get_foreign_key
from django.test import RequestFactory
from django.urls import reverse

from tests.browser_form import admin_errors, browser_form

pytestmark = pytest.mark.django_db

# Stamped by every save (or by saves of what the page shows), so they move without anything being edited.
AUTO_UPDATED = {"updated_at", "page_changed_at"}
REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)
DEMO_USERNAMES = ["ava", "theo", "edith", "milo"]  # an author, a second author, an editor, a moderator


@pytest.fixture
def roles(demo_site):
    """The superuser, then the demo's users in their groups."""
    User = get_user_model()
    superuser = User.objects.create_superuser("root", "root@example.com", "pass-word-123")
    return [superuser, *User.objects.filter(username__in=DEMO_USERNAMES).order_by("username")]


def as_request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def field_values(obj) -> dict:
    """Every stored field of a row as read afresh from the database, files by name, many-to-many by primary keys."""
    obj = type(obj)._default_manager.get(pk=obj.pk)
    values = {}
    for field in obj._meta.concrete_fields:
        if getattr(field, "auto_now", False) or field.name in AUTO_UPDATED:
            continue
        value = field.value_from_object(obj)
        values[field.name] = value.name if isinstance(value, FieldFile) else value
    for field in obj._meta.many_to_many:
        values[field.name] = sorted(related.pk for related in field.value_from_object(obj))
    return values


def snapshot(model_admin, request, obj) -> dict:
    """The object and the rows of each of its inlines, field by field."""
    rows = {"object": field_values(obj)}
    for inline in model_admin.get_inline_instances(request, obj):
        fk = _get_foreign_key(model_admin.model, inline.model, inline.fk_name)
        related = inline.model._default_manager.filter(**{fk.name: obj}).order_by("pk")
        rows[inline.model._meta.label] = [field_values(row) for row in related]
    return rows


def differences(before: dict, after: dict) -> dict:
    """{part: [{field: (before, after)}]} for the rows of a snapshot that differ."""
    rows = lambda part, snap: snap.get(part) if isinstance(snap.get(part), list) else [snap.get(part) or {}]  # noqa: E731
    return {
        part: [
            {name: (old.get(name), new.get(name)) for name in {*old, *new} if old.get(name) != new.get(name)}
            for old, new in zip(rows(part, before), rows(part, after), strict=False)
        ]
        + [{"added": row} for row in rows(part, after)[len(rows(part, before)) :]]
        + [{"removed": row} for row in rows(part, before)[len(rows(part, after)) :]]
        for part in after
        if after[part] != before.get(part)
    }


def change_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(obj.pk)])


def resave_unchanged(client, user, obj) -> str | None:
    """Open the change page of `obj` as `user` and press Save as a browser would; what went wrong, or None."""
    model_admin = admin.site._registry[type(obj)]
    request = as_request(user)
    client.force_login(user)
    url = change_url(obj)
    page = client.get(url)
    if page.status_code != 200:
        return f"GET {url} as {user}: {page.status_code}"
    before = snapshot(model_admin, request, obj)
    response = client.post(url, browser_form(page.content.decode()))
    if response.status_code != 302:
        return f"Saving {obj!r} unchanged as {user}: {admin_errors(response)}"
    after = snapshot(model_admin, request, obj)
    if after != before:
        return f"Saving {obj!r} unchanged as {user} changed (before, after): {differences(before, after)}"
    return None


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_every_admin_form_saved_as_the_browser_sends_it_changes_nothing(model, roles, client):
    model_admin = admin.site._registry[model]
    problems, saved = [], 0
    for user in roles:
        request = as_request(user)
        for obj in model_admin.get_queryset(request).order_by("pk"):
            if not model_admin.has_change_permission(request, obj):
                continue
            saved += 1
            if problem := resave_unchanged(client, user, obj):
                problems.append(problem)
    assert not problems, "\n".join(problems)
    # A form nobody may save (a read-only admin such as task results) has nothing to round-trip;
    # any other needs a demo object, or this test would pass without saving a thing.
    read_only = not model_admin.has_change_permission(as_request(roles[0]))
    assert saved or read_only, f"Add a {model._meta.verbose_name} to the demo: no role could save one here."
