"""Readers posting at the same moment, each on a connection of its own, as gunicorn workers would."""

import threading

import pytest
from django.db import connection
from django.test import Client

from comments.models import Comment

pytestmark = pytest.mark.django_db(transaction=True)


def post_at_once(review, bodies: list[str], email="ana@example.com") -> list[int]:
    """Each body from its own browser tab, all released at the same instant; returns the status codes."""
    barrier = threading.Barrier(len(bodies))
    statuses = [0] * len(bodies)

    def tab(index, body):
        client = Client()
        data = {"author_name": "Ana", "author_email": email, "body": body, "homepage": ""}
        try:
            barrier.wait(timeout=10)
            statuses[index] = client.post(
                f"/reviews/{review.slug}/comments/", data, REMOTE_ADDR=f"10.0.0.{index}"
            ).status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=tab, args=(i, body)) for i, body in enumerate(bodies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


def test_the_same_comment_from_six_tabs_at_once_is_stored_once(review):
    for _ in range(3):  # a race shows itself on some tries only
        Comment.objects.all().delete()
        statuses = post_at_once(review, ["Same words, sent from six tabs."] * 6)
        assert Comment.objects.count() == 1
        assert sorted(statuses) == [302] + [400] * 5


def test_different_comments_at_once_are_all_stored(review):
    statuses = post_at_once(review, [f"Comment number {i}." for i in range(6)])
    assert statuses == [302] * 6
    assert Comment.objects.count() == 6
