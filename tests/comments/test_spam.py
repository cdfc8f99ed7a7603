"""comments/spam.py against a real Akismet-protocol server on 127.0.0.1, through the real `akismet` client."""

import pytest

from comments import spam
from comments.models import Comment
from tests.akismet_server import SPAM_AUTHOR, SPAM_EMAIL
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db
Verdict = Comment.Verdict


@pytest.fixture
def comment(review):
    return CommentFactory(review=review, status=Comment.Status.PENDING, verdict=Verdict.UNCHECKED)


def test_ham_is_ham(akismet_server, comment):
    assert spam.comment_check(comment) == Verdict.HAM


def test_guaranteed_spam_author_and_email_are_spam(akismet_server, review):
    by_name = CommentFactory(review=review, author_name=SPAM_AUTHOR)
    by_email = CommentFactory(review=review, author_email=SPAM_EMAIL)
    assert spam.comment_check(by_name) == Verdict.SPAM
    assert spam.comment_check(by_email) == Verdict.SPAM


def test_the_discard_pro_tip_means_blatant_spam(akismet_server, review):
    comment = CommentFactory(review=review, author_name=SPAM_AUTHOR, body="BLATANT cheap pills")
    assert spam.comment_check(comment) == Verdict.DISCARD


def test_everything_akismet_uses_is_sent(akismet_server, review, settings):
    parent = CommentFactory(review=review)
    reply = CommentFactory(
        review=review,
        parent=parent,
        author_name="Zoë Ångström",
        author_email="zoe@example.com",
        author_url="https://zoe.example/",
        body="Ça, c'est du cinéma — 映画",
    )
    spam.comment_check(reply)
    (sent,) = akismet_server.calls("comment-check")
    assert sent["api_key"] == "test-akismet-key"
    assert sent["blog"] == "https://films.example/"
    assert sent["user_ip"] == "203.0.113.7"
    assert sent["user_agent"].startswith("Mozilla/5.0")
    assert sent["referrer"] == "https://films.example/"
    assert sent["permalink"] == "https://films.example/reviews/ballerina-dances-with-knives/"
    assert sent["comment_type"] == "reply"
    assert sent["comment_author"] == "Zoë Ångström"
    assert sent["comment_author_email"] == "zoe@example.com"
    assert sent["comment_author_url"] == "https://zoe.example/"
    assert sent["comment_content"] == "Ça, c'est du cinéma — 映画"
    assert sent["comment_date_gmt"].endswith("+00:00")
    assert sent["blog_lang"] == "en_GB"
    assert sent["blog_charset"] == "UTF-8"
    assert "is_test" not in sent  # production traffic trains Akismet


def test_top_level_comment_type_and_is_test_while_debugging(akismet_server, comment, settings):
    settings.DEBUG = True
    spam.comment_check(comment)
    (sent,) = akismet_server.calls("comment-check")
    assert sent["comment_type"] == "comment"
    assert sent["is_test"] == "true"


@pytest.mark.parametrize("trouble", ["slow", "error", "down", "bad key"])
def test_trouble_with_akismet_is_an_error_verdict_not_an_exception(akismet_server, comment, settings, trouble):
    if trouble == "down":
        akismet_server.stop()
    elif trouble == "bad key":
        settings.AKISMET_API_KEY = "not-a-real-key"
    else:
        akismet_server.mode = trouble
    assert spam.comment_check(comment) == Verdict.ERROR
    assert spam.submit_spam(comment) is False


def test_without_a_key_nothing_is_sent_and_the_comment_is_unchecked(akismet_server, comment, settings):
    settings.AKISMET_API_KEY = ""
    assert spam.comment_check(comment) == Verdict.UNCHECKED
    assert spam.submit_ham(comment) is False
    assert akismet_server.received == []


def test_reports_reach_akismet(akismet_server, comment):
    assert spam.submit_spam(comment) is True
    assert spam.submit_ham(comment) is True
    assert akismet_server.calls("submit-spam")[0]["comment_content"] == comment.body
    assert akismet_server.calls("submit-ham")[0]["comment_author_email"] == comment.author_email


def test_recheck_reason_is_sent_on_a_recheck(akismet_server, comment):
    spam.comment_check(comment, recheck_reason="Akismet was unavailable")
    assert akismet_server.calls("comment-check")[0]["recheck_reason"] == "Akismet was unavailable"
