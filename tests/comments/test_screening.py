"""Rules and bot signs before Akismet (comments/screening.py, comments/models/rules.py), and how the
workflow applies them at arrival and at every re-check."""

import time
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from comments import moderation, screening
from comments.models import Comment, CommentEvent, CommentRule
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db
Status, Verdict, Kind = Comment.Status, Comment.Verdict, CommentEvent.Kind


@pytest.fixture
def receive(review, django_capture_on_commit_callbacks):
    def receive(**fields):
        comment = CommentFactory.build(review=review, status=Status.PENDING, verdict=Verdict.UNCHECKED, **fields)
        with django_capture_on_commit_callbacks(execute=True):
            moderation.receive(comment)
        comment.refresh_from_db()
        return comment

    return receive


def rule(kind, pattern, action="hold", **fields):
    made = CommentRule(kind=kind, pattern=pattern, action=action, **fields)
    made.full_clean()
    made.save()
    return made


# --- Rules ---


@pytest.mark.parametrize(
    ("kind", "pattern", "fields", "matches"),
    [
        ("words", "Cheap Pills", {"body": "Buy cheap\npills now"}, True),
        ("words", "cialis", {"body": "Ask a specialist"}, False),  # whole words only
        ("words", "casino", {"author_name": "Casino Royale fan"}, True),
        ("email", "@Mail.Example", {"author_email": "x@sub.mail.example"}, True),
        ("email", "ana@example.com", {"author_email": "ANA@example.com"}, True),
        ("email", "example.com", {"author_email": "ana@notexample.com"}, False),
        ("ip", "198.18.7.0/24", {"ip_address": "198.18.7.99"}, True),
        ("ip", "198.18.7.1", {"ip_address": "198.18.7.2"}, False),
        ("link", "pills.example", {"body": "see https://www.pills.example/x"}, True),
        ("link", "pills.example", {"author_url": "https://pills.example"}, True),
        ("link", "pills.example", {"body": "pills.example is a word here, not a link"}, False),
    ],
)
def test_a_rule_matches_what_it_names(review, kind, pattern, fields, matches):
    made = rule(kind, pattern)
    assert made.matches(CommentFactory.build(review=review, **fields)) is matches


def test_rules_are_checked_when_saved():
    with pytest.raises(ValidationError):
        rule("ip", "not-an-address")
    with pytest.raises(ValidationError):
        rule("email", "nodomain")
    assert rule("ip", "198.18.7.9/24").pattern == "198.18.7.0/24"


def test_a_hold_rule_holds_and_why_it_is_held_names_it(akismet_server, receive):
    made = rule("words", "crypto", note="crypto spam wave")
    comment = receive(body="Try crypto today", returning_reader=True)
    assert comment.status == Status.PENDING
    assert comment.why_held()[0] == "rule “crypto” (words or phrase): held for a moderator (crypto spam wave)"
    assert comment.events.get(kind=Kind.HELD).rule == made


def test_a_spam_rule_files_it_as_spam_without_asking_akismet(akismet_server, receive):
    rule("email", "mail.example", action="spam")
    comment = receive(author_email="bot@mail.example")
    assert comment.status == Status.SPAM
    assert akismet_server.calls("comment-check") == []
    event = comment.events.get(kind=Kind.FILED_SPAM)
    assert (event.layer, event.rule.pattern) == ("rules", "mail.example")


def test_a_shadow_rule_only_records_what_it_would_have_done(akismet_server, receive):
    rule("words", "staircase", action="spam", shadow=True)
    comment = receive(body="Loved the staircase fight.")
    assert comment.status == Status.PENDING
    assert comment.why_held() == ["first comment from this address"]
    (shadow,) = comment.events.filter(kind=Kind.SHADOW)
    assert shadow.note.startswith("would have filed it as spam: rule “staircase”")


def test_a_rule_added_later_applies_at_the_re_check(akismet_server, receive):
    akismet_server.mode = "error"
    comment = receive(body="Visit my casino")
    assert (comment.status, comment.verdict) == (Status.PENDING, Verdict.ERROR)
    rule("words", "casino", action="spam")
    akismet_server.mode = "normal"
    Comment.objects.filter(pk=comment.pk).update(next_check_at=timezone.now())
    moderation.run_due_checks()
    comment.refresh_from_db()
    assert comment.status == Status.SPAM
    assert "rule “casino” (words or phrase): filed as spam" in comment.why_held()
    assert comment.events.filter(kind=Kind.MARKED_SPAM, layer="rules").exists()


def test_moderators_keep_the_rules_in_the_admin(moderator_client, django_assert_max_num_queries):
    response = moderator_client.post(
        reverse("admin:comments_commentrule_add"),
        {"kind": "ip", "pattern": "198.18.7.4/24", "action": "spam", "active": "on", "note": "a botnet"},
    )
    assert response.status_code == 302
    made = CommentRule.objects.get()
    assert (made.pattern, made.created_by.username) == ("198.18.7.0/24", "moderator")
    for n in range(20):
        rule("words", f"word{n}")
    with django_assert_max_num_queries(8):
        assert moderator_client.get(reverse("admin:comments_commentrule_changelist")).status_code == 200


# --- Bot signs ---


def test_the_form_stamp_is_signed_and_read_back():
    assert screening.read_stamp(screening.make_stamp(time.time() - 12))[0] == pytest.approx(12, abs=1)
    assert screening.read_stamp("") == (None, False)
    assert screening.read_stamp("12345:forged") == (None, True)
    assert screening.read_stamp(screening.make_stamp(time.time() - 10 * 86400)) == (None, False)  # a tab left open


def test_a_form_stamp_counts_once():
    stamp = screening.make_stamp(time.time() - 12)
    assert screening.read_stamp(stamp)[0] == pytest.approx(12, abs=1)
    assert screening.read_stamp(stamp) == (None, True)


def test_the_token_endpoint_hands_out_a_stamp(client):
    data = client.get(reverse("comments:form_token")).json()
    assert data["token"] and screening.read_stamp(data["stamp"])[0] < 5


@pytest.mark.parametrize(
    ("typing_seconds", "forged", "status", "note"),
    [
        (None, False, Status.PENDING, None),  # no JavaScript: timing plays no part
        (0.3, False, Status.SPAM, "sent 0.3 s after the form was first used (a script)"),
        (2.5, False, Status.PENDING, "sent 2.5 s after the form was first used"),
        (9, False, Status.PENDING, None),
        (None, True, Status.PENDING, "the form came back with a time stamp we did not sign, or one used before"),
    ],
)
def test_timing(akismet_server, receive, typing_seconds, forged, status, note):
    comment = receive(typing_seconds=typing_seconds, stamp_forged=forged)
    assert comment.status == status
    assert (note in comment.why_held()) if note else comment.why_held() == ["first comment from this address"]


def test_no_user_agent_is_a_script(akismet_server, receive):
    comment = receive(user_agent="")
    assert comment.status == Status.SPAM
    assert comment.events.get(kind=Kind.FILED_SPAM).layer == "user_agent"


def test_the_same_words_under_a_second_name_are_held_and_under_a_third_filed_with_the_earlier(akismet_server, receive):
    body = "Very informative article, thanks for sharing!"
    first = receive(author_name="A", author_email="a@x.example", body=body)
    second = receive(author_name="B", author_email="b@x.example", body=body)
    first.refresh_from_db()
    assert second.status == first.status == Status.PENDING
    assert "the same words from one address under another name or email" in first.why_held()
    third = receive(author_name="C", author_email="c@x.example", body=body)
    first.refresh_from_db(), second.refresh_from_db()
    assert third.status == first.status == second.status == Status.SPAM


def test_a_burst_from_one_network_is_held_and_two_signs_file_it(akismet_server, receive, settings):
    for n in range(settings.COMMENT_BURST_COUNT):
        receive(ip_address=f"198.18.9.{n}", body=f"Comment number {n} of the run.")
    held = receive(ip_address="198.18.9.200", body="Plain words.")
    assert held.status == Status.PENDING
    assert any(note.startswith("a burst: more than 5 comments from 198.18.9.0/24") for note in held.why_held())
    linked = receive(ip_address="198.18.9.201", body="a https://a.example b https://b.example c https://c.example")
    assert linked.status == Status.SPAM  # links and a burst: two signs


def test_a_burst_tells_on_the_waiting_comments_before_it(akismet_server, receive, settings):
    early = receive(ip_address="198.18.9.1", body="a https://a.example b https://b.example c https://c.example")
    assert early.status == Status.PENDING
    for n in range(settings.COMMENT_BURST_COUNT):
        receive(ip_address=f"198.18.9.{n + 10}", body=f"Comment number {n} of the run.")
    early.refresh_from_db()
    assert early.status == Status.SPAM


def test_people_of_one_network_an_hour_apart_are_no_burst(akismet_server, receive, settings):
    for n in range(settings.COMMENT_BURST_COUNT + 2):
        comment = receive(
            ip_address=f"192.0.2.{n}", body=f"My view number {n}.", created_at=timezone.now() - timedelta(hours=n)
        )
        assert comment.status == Status.PENDING
        assert comment.why_held() == ["first comment from this address"]
