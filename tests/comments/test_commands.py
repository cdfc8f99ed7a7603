"""The comments app's management commands, run as an administrator would, reading what they print."""

import builtins
import io
import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from comments.models import Comment, CommentEvent, Subscription
from tests.akismet_server import SPAM_AUTHOR
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db
Status, Verdict, Kind = Comment.Status, Comment.Verdict, CommentEvent.Kind


def run(*args, **options):
    """Run a command; returns what it printed on stdout and on stderr."""
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def days_ago(days):
    return timezone.now() - timedelta(days=days)


def waiting(**fields):
    """A comment Akismet could not judge when it arrived, with its next automatic try still ahead."""
    later = timezone.now() + timedelta(hours=1)
    return CommentFactory(**{"status": Status.PENDING, "verdict": Verdict.ERROR, "next_check_at": later, **fields})


# --- recheck_comments ---


def test_recheck_turns_a_comment_akismet_could_not_reach_into_ham(akismet_server):
    comment = waiting()

    out, err = run("recheck_comments")

    comment.refresh_from_db()
    assert comment.verdict == Verdict.HAM
    assert comment.status == Status.PENDING  # a first comment from this address still waits for a moderator
    assert comment.next_check_at is None
    assert out == "Re-checked 1 comment: 1 not spam.\n"
    assert err == ""
    assert akismet_server.calls("comment-check")[0]["recheck_reason"] == "Akismet was unavailable"


def test_recheck_files_spam_and_sums_up_each_verdict(akismet_server):
    spam = waiting(author_name=SPAM_AUTHOR)
    waiting(), waiting()

    out, _ = run("recheck_comments")

    spam.refresh_from_db()
    assert (spam.verdict, spam.status) == (Verdict.SPAM, Status.SPAM)
    assert out == "Re-checked 3 comments: 2 not spam, 1 spam.\n"


def test_recheck_with_akismet_down_leaves_the_comment_in_the_queue_and_says_so(akismet_server):
    comment = waiting()
    akismet_server.stop()

    out, err = run("recheck_comments")

    comment.refresh_from_db()
    assert (comment.verdict, comment.status) == (Verdict.ERROR, Status.PENDING)
    assert out == "Re-checked 1 comment: 1 still unchecked (Akismet could not be reached).\n"
    assert "it stays in the moderation queue" in err


def test_recheck_leaves_decided_comments_alone(akismet_server):
    CommentFactory(status=Status.APPROVED, verdict=Verdict.ERROR)

    out, _ = run("recheck_comments")

    assert out == "No comment is waiting for a spam check.\n"
    assert akismet_server.calls("comment-check") == []


def test_recheck_without_a_key_says_screening_is_off(settings):
    settings.AKISMET_API_KEY = ""
    comment = waiting()

    out, _ = run("recheck_comments")

    assert "No AKISMET_API_KEY is configured: spam screening is off" in out
    comment.refresh_from_db()
    assert comment.verdict == Verdict.ERROR


# --- purge_comments ---


def test_purge_forgets_personal_data_of_old_comments_only(settings):
    settings.COMMENT_PERSONAL_DATA_DAYS = 30
    old, new = CommentFactory(created_at=days_ago(31)), CommentFactory(created_at=days_ago(29))

    out, _ = run("purge_comments")

    old.refresh_from_db(), new.refresh_from_db()
    assert (old.ip_address, old.user_agent, old.referrer) == (None, "", "")
    assert old.body == "Loved the staircase fight."
    assert (new.ip_address, new.user_agent, new.referrer) == ("203.0.113.7", new.user_agent, "https://films.example/")
    assert new.user_agent
    assert "Forgot the IP address, user agent and referrer of 1 comment older than 30 days." in out


def test_purge_deletes_old_spam_and_trash_but_keeps_recent_spam_and_spam_with_an_approved_reply(settings):
    settings.COMMENT_SPAM_DAYS = 15
    old_spam = CommentFactory(status=Status.SPAM, status_changed_at=days_ago(16))
    old_trash = CommentFactory(status=Status.TRASH, status_changed_at=days_ago(16))
    recent_spam = CommentFactory(status=Status.SPAM, status_changed_at=days_ago(14))
    answered_spam = CommentFactory(status=Status.SPAM, status_changed_at=days_ago(16))
    reply = CommentFactory(parent=answered_spam, review=answered_spam.review, status=Status.APPROVED)

    out, _ = run("purge_comments")

    assert not Comment.objects.filter(pk__in=[old_spam.pk, old_trash.pk]).exists()
    assert set(Comment.objects.values_list("pk", flat=True)) == {recent_spam.pk, answered_spam.pk, reply.pk}
    assert "Deleted 2 spam or trashed comments older than 15 days." in out


def test_purge_counts_deleted_comments_not_their_history(settings):
    spam = CommentFactory(status=Status.SPAM, status_changed_at=days_ago(settings.COMMENT_SPAM_DAYS + 1))
    spam.log(Kind.SUBMITTED)

    out, _ = run("purge_comments")

    assert "Deleted 1 spam or trashed comment older than" in out


# --- export_comments ---


def test_export_prints_the_readers_comments_as_json_and_nobody_elses():
    CommentFactory(author_email="Ana@Example.com", body="Ça m'a coupé le souffle.").log(Kind.SUBMITTED)
    CommentFactory(author_email="ana@example.com", body="Second viewing, still great.")
    CommentFactory(author_email="someone.else@example.com", body="Not Ana's words.")

    out, err = run("export_comments", "ana@example.com")

    exported = json.loads(out)["comments"]
    assert [c["comment"] for c in exported] == ["Ça m'a coupé le souffle.", "Second viewing, still great."]
    assert {c["email"].lower() for c in exported} == {"ana@example.com"}
    assert exported[0]["ip_address"] == "203.0.113.7"
    assert exported[0]["history"][0]["event"] == "Submitted"
    assert "Ça m'a coupé" in out  # readable, not \u escapes
    assert err == ""


def test_export_to_a_file_writes_the_json_there(tmp_path):
    CommentFactory(author_email="ana@example.com")
    target = tmp_path / "ana.json"

    out, _ = run("export_comments", "ana@example.com", "--output", str(target))

    assert len(json.loads(target.read_text(encoding="utf-8"))["comments"]) == 1
    assert out == f"Wrote 1 comment and 0 follow-ups of ana@example.com to {target}.\n"


def test_export_for_an_unknown_email_prints_empty_lists_and_says_why():
    CommentFactory(author_email="ana@example.com")

    out, err = run("export_comments", "nobody@example.com")

    assert json.loads(out) == {
        "comments": [],
        "follow_ups": [],
        "emails": [],
        "rules_naming_this_address": [],
        "newsletter": [],
    }
    assert err == "Nothing is stored about nobody@example.com: no comment, no follow-up, no subscription.\n"


def test_export_includes_the_follow_up_emails_the_reader_asked_for():
    review = CommentFactory(author_email="ana@example.com").review
    Subscription.objects.create(email="Ana@Example.com", review=review, kind=Subscription.Kind.ALL)
    Subscription.objects.create(email="someone.else@example.com", review=review, kind=Subscription.Kind.ALL)

    exported = json.loads(run("export_comments", "ana@example.com")[0])

    assert [(f["review"], f["kind"], f["confirmed_at"]) for f in exported["follow_ups"]] == [
        (review.title, "New comments on this review", None)
    ]


# --- erase_comments ---


def test_erase_anonymises_the_readers_comments_and_keeps_their_words():
    mine = CommentFactory(author_name="Ana Reader", author_email="ana@example.com", author_url="https://ana.example/")
    other = CommentFactory(author_email="bo@example.com")

    out, _ = run("erase_comments", "ANA@example.com", "--no-input")

    mine.refresh_from_db(), other.refresh_from_db()
    assert (mine.author_name, mine.author_email, mine.author_url) == ("Anonymous", "", "")
    assert (mine.ip_address, mine.user_agent, mine.referrer) == (None, "", "")
    assert mine.body == "Loved the staircase fight."
    assert mine.events.filter(kind=Kind.ANONYMISED).exists()
    assert other.author_email == "bo@example.com"
    assert out.startswith("Anonymised 1 comment by ANA@example.com:")


def test_erase_with_delete_removes_comments_and_empties_those_with_replies():
    lone = CommentFactory(author_email="ana@example.com")
    answered = CommentFactory(author_email="ana@example.com", body="Ana's words.")
    reply = CommentFactory(parent=answered, review=answered.review, author_email="bo@example.com")

    run("erase_comments", "ana@example.com", "--delete", "--yes")

    assert not Comment.objects.filter(pk=lone.pk).exists()
    answered.refresh_from_db()
    assert (answered.author_name, answered.author_email) == ("Anonymous", "")
    assert "Ana's words" not in answered.body + answered.body_html
    assert Comment.objects.filter(pk=reply.pk).exists()


def test_erase_with_delete_reports_how_many_comments_it_erased():
    CommentFactory(author_email="ana@example.com").log(Kind.SUBMITTED)

    out, _ = run("erase_comments", "ana@example.com", "--delete", "--no-input")

    assert out.startswith("Erased 1 comment by ana@example.com:")


@pytest.mark.parametrize(("answer", "name"), [("yes", "Anonymous"), ("no", "Ana Reader")])
def test_erase_asks_first_and_only_yes_goes_ahead(monkeypatch, answer, name):
    comment = CommentFactory(author_name="Ana Reader", author_email="ana@example.com")
    questions = []
    monkeypatch.setattr(builtins, "input", lambda question: questions.append(question) or answer)

    out, _ = run("erase_comments", "ana@example.com")

    comment.refresh_from_db()
    assert comment.author_name == name
    assert questions[0].startswith("This will anonymise 1 comment written with ana@example.com.")
    if answer == "no":
        assert out == "Erase cancelled.\n"


def test_erase_with_nobody_to_answer_refuses_and_changes_nothing(monkeypatch):
    comment = CommentFactory(author_name="Ana Reader", author_email="ana@example.com")

    def no_terminal(question):
        raise EOFError

    monkeypatch.setattr(builtins, "input", no_terminal)

    with pytest.raises(CommandError, match="--no-input"):
        run("erase_comments", "ana@example.com")
    comment.refresh_from_db()
    assert comment.author_name == "Ana Reader"


def test_erase_for_an_unknown_email_says_there_is_nothing_to_do():
    out, _ = run("erase_comments", "nobody@example.com", "--no-input")

    assert out == (
        "Nothing is stored about nobody@example.com: no comment, no follow-up, no subscription; nothing to erase.\n"
    )


def test_erase_delete_removes_a_readers_own_reply_chain_entirely(review):
    top = CommentFactory(review=review, author_email="gone@example.com", body="Top")
    reply = CommentFactory(review=review, parent=top, author_email="gone@example.com", body="Reply to myself")
    kept = CommentFactory(review=review, author_email="other@example.com", body="Someone else")
    call_command("erase_comments", "gone@example.com", "--delete", "--no-input", stdout=io.StringIO())
    assert list(Comment.objects.all()) == [kept]
    assert not Comment.objects.filter(pk__in=[top.pk, reply.pk]).exists()
