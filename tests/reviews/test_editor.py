import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tests.reviews.test_images import XHR, image_bytes, upload, uploaded_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator_client(client):
    client.force_login(UserFactory(username="milo", group="Moderators"))
    return client


def test_a_moderator_may_neither_preview_nor_upload_with_the_review_editor(moderator_client):
    assert upload(moderator_client, image_bytes()).status_code == 403
    assert uploaded_files() == []
    preview = moderator_client.post(reverse("markdownx_markdownify"), {"content": "**hi**"}, **XHR)
    assert preview.status_code == 403
    assert "<strong>" not in preview.content.decode()


def test_an_author_may_preview_and_upload(author_client):
    assert upload(author_client, image_bytes()).status_code == 200
    assert author_client.post(reverse("markdownx_markdownify"), {"content": "**hi**"}, **XHR).status_code == 200
