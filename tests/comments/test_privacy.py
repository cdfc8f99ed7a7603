"""Erasure leaves no copy of a reader's address, IP or words anywhere in the database (comments/privacy.py),
read from the database file's bytes on SQLite and from every text column on PostgreSQL; export lists them all."""

import json
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.management import call_command
from django.db import connection

from comments import followups, moderation, privacy
from comments.models import Comment, CommentEvent, SentEmail, Subscription
from reviews.models import OutgoingEmail
from tests.factories import CommentFactory, ReviewFactory, UserFactory

Status, Kind = Comment.Status, CommentEvent.Kind


def seed_reader(tag: str) -> dict[str, str]:
    """A reader with something in every table that holds a reader's data; returns what must go, by name."""
    secrets = {
        "email": f"Zed.{tag}@Example.org",
        "name": f"Zebulon Quint{tag}",
        "ip": "203.0.113.177",
        "user_agent": f"UniqueAgent/{tag}",
        "website": f"https://zqx{tag}.example/",
        "referrer": f"https://ref{tag}.example/page",
        "edited_away": f"call me on 555{tag}",
        "words": f"staircase{tag}",
        "deleted_words": f"lonely{tag}",
    }
    moderator = UserFactory(group="Moderators")
    review, other_review = ReviewFactory(), ReviewFactory()
    # Another reader following the review: the outbox then holds an email about the reader's comment.
    Subscription.objects.create(email="olga@example.com", review=review, kind="all", confirmed_at="2026-01-01T00:00Z")
    reader = {
        "author_email": secrets["email"],
        "author_name": secrets["name"],
        "ip_address": secrets["ip"],
        "user_agent": secrets["user_agent"],
        "author_url": secrets["website"],
        "referrer": secrets["referrer"],
    }
    answered = CommentFactory(
        review=review,
        status=Status.PENDING,
        body=f"The {secrets['words']} fight. {secrets['edited_away']}",
        hold_notes=[f"Email address or domain: {secrets['email']}: held", "a burst from 203.0.113.0/24"],
        notify_on_approval=True,
        **reader,
    )
    answered.log(Kind.HELD, note=f"IP address or network: {secrets['ip']}: held for a moderator")
    followups.notify_moderators(answered)  # the outbox's email to the moderators names the address
    moderation.edit(answered, {"body": f"The {secrets['words']} fight."}, by=moderator)  # the number kept in `before`
    moderation.approve(answered, by=moderator)
    CommentFactory(review=review, parent=answered, status=Status.APPROVED, body="Agreed!")  # another reader's reply
    CommentFactory(review=other_review, status=Status.SPAM, body=secrets["deleted_words"], **reader)
    Subscription.objects.create(email=secrets["email"].lower(), review=review, kind="all")
    Subscription.objects.create(email=secrets["email"], review=review, kind="replies", parent=answered)
    Subscription.objects.create(email=secrets["email"], review=ReviewFactory(), kind="all")  # no comment there
    LogEntry.objects.log_actions(moderator.pk, [answered], CHANGE, change_message="[]", single_object=True)
    return secrets


def stored_anywhere(text: str) -> list[str]:
    """Where `text` (any case) is stored: in the SQLite file and its write-ahead log as bytes, or in a text
    column of any table on PostgreSQL."""
    if connection.vendor == "sqlite":
        database = Path(connection.settings_dict["NAME"])
        files = [database, Path(f"{database}-wal")]
        return [f.name for f in files if f.exists() and text.lower().encode() in f.read_bytes().lower()]
    found = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' AND "
            "data_type IN ('text', 'character varying', 'json', 'jsonb', 'inet')"
        )
        for table, column in cursor.fetchall():
            cursor.execute(f'SELECT 1 FROM "{table}" WHERE "{column}"::text ILIKE %s LIMIT 1', [f"%{text}%"])
            if cursor.fetchone():
                found.append(f"{table}.{column}")
    return found


@pytest.mark.django_db(transaction=True)  # committed, as the command runs, so the file holds what is stored
@pytest.mark.parametrize("delete", [False, True], ids=["anonymise", "delete"])
def test_erasure_leaves_no_copy_of_the_readers_address_ip_or_edited_words(delete):
    tag = uuid.uuid4().hex[:10]  # words no earlier test left behind in the file's free space
    secrets = seed_reader(tag)
    assert stored_anywhere(secrets["edited_away"]) and stored_anywhere(secrets["email"])  # the scan sees them

    assert OutgoingEmail.objects.count() == 3  # to the moderator, to the follower, "published" to the reader
    call_command("erase_comments", secrets["email"].upper(), "--no-input", *(["--delete"] if delete else []))

    gone = {name: value for name, value in secrets.items() if delete or name not in ("words", "deleted_words")}
    assert {name: stored_anywhere(value) for name, value in gone.items()} == {name: [] for name in gone}
    if not delete:  # anonymised: the words stay on the page, signed "Anonymous"
        assert stored_anywhere(secrets["words"])
    assert list(Subscription.objects.values_list("email", flat=True)) == ["olga@example.com"]
    assert not OutgoingEmail.objects.exists()  # to them, or about their comment
    assert Comment.objects.filter(status=Status.APPROVED, body="Agreed!").exists()  # the other reader's reply stays


@pytest.mark.django_db
def test_erase_forgets_the_follow_ups_of_a_reader_with_no_comment_left():
    review = ReviewFactory()
    Subscription.objects.create(email="ana@example.com", review=review, kind="all")
    SentEmail.objects.reserve("Ana@example.com")  # the day's count of emails to the address (a hash of it)
    SentEmail.objects.reserve("someone.else@example.com")
    OutgoingEmail.objects.create(key="follow-confirm:1", to="Ana@example.com", subject="Confirm", body="…")
    other = OutgoingEmail.objects.create(key="follow-confirm:2", to="olga@example.com", subject="Confirm", body="…")
    out = StringIO()
    call_command("erase_comments", "ana@example.com", "--no-input", stdout=out)
    assert not Subscription.objects.exists()
    assert SentEmail.objects.count() == 1  # another reader's count stays
    assert list(OutgoingEmail.objects.all()) == [other]


@pytest.mark.django_db
def test_export_lists_everything_held_about_the_address():
    secrets = seed_reader("x1")
    out = StringIO()
    call_command("export_comments", secrets["email"], stdout=out)
    exported = json.loads(out.getvalue())
    answered = next(c for c in exported["comments"] if c["status"] == Status.APPROVED)
    assert answered["why_held"]
    history = answered["history"]
    assert any(secrets["edited_away"] in event.get("words_before_an_edit", "") for event in history)
    assert any(secrets["ip"] in event["note"] for event in history)
    assert len(exported["comments"]) == 2 and len(exported["follow_ups"]) == 3
    assert privacy.held_about(secrets["email"]) == 5


@pytest.mark.django_db
def test_export_lists_the_emails_the_outbox_holds_for_the_address(django_capture_on_commit_callbacks):
    comment = CommentFactory(author_email="Ana@example.com", notify_on_approval=True)
    with django_capture_on_commit_callbacks(execute=True):
        followups.notify_author(comment)
    out = StringIO()
    call_command("export_comments", "ana@example.com", stdout=out)
    [email] = json.loads(out.getvalue())["emails"]
    assert email["subject"].endswith("is published") and email["status"] == "Sent" and email["sent_at"]
