import re

import pytest
from django.utils import timezone

from reviewblog.newsletter.models import Subscriber


@pytest.fixture
def sign_up(client, django_capture_on_commit_callbacks):
    """Post the footer's form as a browser without JavaScript sends it; the confirmation email goes out
    on commit, as it does outside tests."""

    def post(email="ana@example.com", frequency="each", *, follow=False, **extra):
        data = {"email": email, "frequency": frequency, "website": "", **extra}
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/newsletter/", data, follow=follow, REMOTE_ADDR="198.51.100.4")

    return post


@pytest.fixture
def subscribers(db):
    """Confirmed subscribers, as many as asked, each wanting every review unless told otherwise."""

    def make(count, frequency=Subscriber.Frequency.EACH, prefix="reader"):
        return [
            Subscriber.objects.create(
                email=f"{prefix}{n}@example.com",
                frequency=frequency,
                status=Subscriber.Status.ACTIVE,
                confirmed_at=timezone.now(),
            )
            for n in range(count)
        ]

    return make


def link_in(text: str, part: str) -> str:
    """The first address in an email's text whose path holds `part`, as a path the test client opens."""
    url = re.search(rf"https?://[^\s\"<>]*{part}[^\s\"<>]*", text).group(0)
    return re.sub(r"^https?://[^/]+", "", url)
