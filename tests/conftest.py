import io
import runpy

import pytest
from django.core.management import call_command
from django.template.backends import jinja2 as jinja2_backend
from django.test.signals import template_rendered

from reviewblog import settings as project_settings
from tests.factories import UserFactory
from tests.s3_server import MEDIA_BUCKET, PRIVATE_BUCKET, REGION, S3Server
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


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Each test writes its uploads, and the WordPress import's private uploads, to folders of its own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    private = {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path / "private"}}
    settings.STORAGES = {**settings.STORAGES, "private": private}
    return settings.MEDIA_ROOT


@pytest.fixture(scope="session")
def s3_server():
    """A real S3 server on 127.0.0.1 (moto's server mode), for the whole session."""
    server = S3Server().start()
    yield server
    server.stop()


@pytest.fixture
def s3_media(settings, monkeypatch, s3_server):
    """Media (and the import's private uploads) in empty buckets of the local S3 server, through the storages
    reviewblog/settings.py builds when AWS_STORAGE_BUCKET_NAME is set."""
    environment = {
        "AWS_STORAGE_BUCKET_NAME": MEDIA_BUCKET,
        "AWS_PRIVATE_BUCKET_NAME": PRIVATE_BUCKET,
        "AWS_S3_ENDPOINT_URL": s3_server.url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_S3_REGION_NAME": REGION,
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    project = runpy.run_path(project_settings.__file__)  # read afresh, with the environment above
    for name, value in project.items():
        if name.startswith("AWS_"):
            setattr(settings, name, value)  # django-storages reads them when it builds a storage
    settings.STORAGES = {
        **settings.STORAGES,
        "default": project["STORAGES"]["default"],
        "private": project["STORAGES"]["private"],
    }
    s3_server.empty_buckets()
    return s3_server


@pytest.fixture(autouse=True)
def empty_cache():
    """Rate limits, cached pages and other cached state start afresh in every test."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()
