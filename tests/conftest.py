import io

import pytest
from django.core.management import call_command
from django.template.backends import jinja2 as jinja2_backend
from django.test.signals import template_rendered

from tests.factories import UserFactory
from tests.smtp_server import smtp_server  # noqa: F401  (a fixture)


@pytest.fixture(autouse=True, scope="session")
def jinja2_renders_are_announced():
    """Tell tests which Jinja2 template rendered, as Django's test environment does for its own
    templates (the test client's response.templates, a browser test telling a render from a kept copy)."""
    render = jinja2_backend.Template.render

    def announced(self, context=None, request=None):
        template_rendered.send(sender=self, template=self.template, context=context or {})
        return render(self, context, request)

    jinja2_backend.Template.render = announced
    yield
    jinja2_backend.Template.render = render


@pytest.fixture
def author(db):
    return UserFactory(username="author", group="Authors")


@pytest.fixture
def other_author(db):
    return UserFactory(username="other", group="Authors")


@pytest.fixture
def editor(db):
    return UserFactory(username="editor", group="Editors")


@pytest.fixture
def author_client(client, author):
    client.force_login(author)
    return client


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def demo_site(settings, db):
    """The demo as `make run` loads it: films, reviews, images, logins and reader comments."""
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo_comments", stdout=io.StringIO())


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Each test writes its uploads to a folder of its own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def empty_cache():
    """Rate limits, cached pages and other cached state start afresh in every test."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()
