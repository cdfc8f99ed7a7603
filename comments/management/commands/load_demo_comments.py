"""Load the demo site's reader comments (run `manage.py load_demo` first: they hang from its reviews).

Idempotent: a comment is looked up by its review and the time it was written, and left alone when
it exists, so a second run changes nothing.
"""

from datetime import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.template.defaultfilters import pluralize
from django.utils import timezone

from comments import demo_content as demo
from comments.models import Comment, CommentEvent, CommentRule, touch_review
from reviews.models import Review

Status, Verdict = Comment.Status, Comment.Verdict

USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"


def aware(value: str) -> datetime:
    return timezone.make_aware(datetime.fromisoformat(value))


class Command(BaseCommand):
    help = "Load the demo reader comments on the demo reviews (safe to run again; it changes nothing the second time)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-demo-comments",
            action="store_true",
            help="Load them even with DEBUG off (made-up readers' comments: never on a real site).",
        )

    def handle(self, *args, allow_demo_comments=False, **options):
        if not settings.DEBUG and not allow_demo_comments:
            raise CommandError(
                "The demo comments are made up; load_demo_comments runs with DEBUG=1 only "
                "(or pass --allow-demo-comments on a throwaway site)."
            )
        slugs = {data["review"] for data in demo.COMMENTS}
        reviews = {review.slug: review for review in Review.objects.published().filter(slug__in=slugs)}
        if not reviews:
            self.stdout.write(self.style.WARNING("The demo reviews are not there: run `manage.py load_demo` first."))
            return
        with transaction.atomic():
            created = self.load_comments(reviews)
            self.load_rules()
        self.stdout.write(self.style.SUCCESS(f"Demo comments ready ({created} new comment{pluralize(created)})."))
        if missing := slugs - reviews.keys():
            self.stdout.write(
                self.style.WARNING(f"Skipped the comments of missing reviews: {', '.join(sorted(missing))}.")
            )

    def load_comments(self, reviews) -> int:
        comments, touched, created = {}, set(), 0
        for data in demo.COMMENTS:
            review = reviews.get(data["review"])
            if review is None:
                continue
            written = aware(data["written"])
            comment = Comment.objects.filter(review=review, created_at=written).first()
            if comment is None:
                comment = self.create(review, data, written, parent=comments.get(data.get("parent")))
                created += 1
                touched.add(review)
            comments[data["key"]] = comment
        for review in touched:
            touch_review(review)
        return created

    def load_rules(self) -> None:
        """Two rules of the kind a moderator starts with, so the rules page shows how they work."""
        for kind, pattern, action, shadow, note in demo.RULES:
            CommentRule.objects.get_or_create(
                kind=kind, pattern=pattern, defaults={"action": action, "shadow": shadow, "note": note}
            )

    def create(self, review, data, written, parent) -> Comment:
        status = data["status"]
        comment = Comment.objects.create(
            review=review,
            parent=parent,
            author_name=data["name"],
            author_email=data["email"],
            author_url=data.get("url", ""),
            body=data["body"],
            created_at=written,
            ip_address=data["ip"],
            user_agent=USER_AGENT,
            status=status,
            # Spam stays in the moderator's spam folder until the purge, COMMENT_SPAM_DAYS after loading.
            status_changed_at=timezone.now() if status == Status.SPAM else written,
            verdict=Verdict.SPAM if status == Status.SPAM else Verdict.HAM,
            check_attempts=1,
            hold_notes=data.get("hold_notes", []),
        )
        event = comment.log(CommentEvent.Kind.SUBMITTED)
        CommentEvent.objects.filter(pk=event.pk).update(created_at=written)  # its history starts when it was written
        return comment
