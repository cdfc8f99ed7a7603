"""The security headers every response carries (Content-Security-Policy from django-csp, Referrer-Policy and
Cross-Origin-Opener-Policy from Django), including shared copies from the page cache."""

import base64
import hashlib
import re

import pytest
from django.urls import reverse

from tests.factories import ReviewFactory
from tests.site_process import manage
from tests.test_project import production_env

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in policy.split(";"))}


def script_hash(body: str) -> str:
    return f"'sha256-{base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()}'"


def test_public_pages_allow_their_inline_theme_script_by_its_hash_and_nothing_else_inline(client):
    review = ReviewFactory()

    response = client.get(review.get_absolute_url())

    inline = re.findall(r"<script>(.*?)</script>", response.content.decode(), flags=re.S)
    policy = directives(response)
    assert len(inline) == 1
    assert policy["script-src"] == ["'self'", script_hash(inline[0])]
    assert not any("unsafe" in value for value in policy["script-src"] + policy["style-src"])
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert (policy["base-uri"], policy["form-action"]) == (["'self'"], ["'self'"])


def test_a_page_served_from_the_page_cache_carries_the_policy_too(client):
    review = ReviewFactory()
    client.get(review.get_absolute_url())

    response = client.get(review.get_absolute_url())

    assert not response.templates  # the shared copy, not a render
    assert "script-src 'self' 'sha256-" in response["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["admin:login", "admin:index"])
def test_the_admin_carries_the_policy_and_the_referrer_and_opener_policies(admin_client, path):
    response = admin_client.get(reverse(path))

    assert directives(response)["script-src"][0] == "'self'"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_public_pages_send_the_referrer_and_opener_policies(client):
    response = client.get(reverse("reviews:home"))

    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_images_may_come_from_the_media_bucket_and_gravatar_when_they_are_used(tmp_path):
    env = production_env(
        tmp_path,
        AWS_STORAGE_BUCKET_NAME="reviewblog-media",
        AWS_PRIVATE_BUCKET_NAME="reviewblog-private",
        AWS_S3_CUSTOM_DOMAIN="media.films.example",
        AWS_S3_ENDPOINT_URL="https://s3.fr-par.scw.cloud",
        COMMENT_GRAVATAR="1",
    )
    show = "from django.conf import settings as s; print(*s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])"

    result = manage(env, "shell", "-v", "0", "-c", show)

    assert result.stdout.split() == [
        "'self'",
        "data:",
        "https://media.films.example",
        "https://s3.fr-par.scw.cloud",
        "https://www.gravatar.com",
    ]
