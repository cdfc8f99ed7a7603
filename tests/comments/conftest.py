import pytest

from tests.akismet_server import akismet_server  # noqa: F401  (a fixture)
from tests.factories import ReviewFactory, UserFactory


@pytest.fixture
def review(db):
    return ReviewFactory(title="Ballerina dances with knives", slug="ballerina-dances-with-knives")


@pytest.fixture
def moderator(db):
    return UserFactory(username="moderator", group="Moderators", email="mod@example.com")


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


@pytest.fixture
def post_comment(client, django_capture_on_commit_callbacks):
    """Post the public form as a reader would; tasks queued on commit run, as they do outside tests."""

    def post(review, *, follow=False, client=client, **fields):
        data = {
            "author_name": "Ana Reader",
            "author_email": "ana@example.com",
            "author_url": "",
            "body": "The staircase fight is the best of the year.",
            "homepage": "",
            **fields,
        }
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                f"/reviews/{review.slug}/comments/",
                data,
                follow=follow,
                REMOTE_ADDR="198.51.100.4",
                HTTP_USER_AGENT="Mozilla/5.0 Test",
                HTTP_REFERER=f"http://testserver/reviews/{review.slug}/",
            )

    return post
