"""Honour a reader's request to be forgotten: anonymise their comments, or delete them."""

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import pluralize

from comments import privacy
from comments.models import Comment


class Command(BaseCommand):
    help = (
        "Anonymise every comment written with EMAIL (the words stay, signed “Anonymous”), "
        "or delete them with --delete (a comment with replies keeps its place, its words removed)."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="The reader's email address (any case).")
        parser.add_argument("--delete", action="store_true", help="Delete the comments instead of anonymising them.")
        parser.add_argument(
            "--noinput",
            "--no-input",
            "--yes",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args, email, delete=False, interactive=True, **options):
        count = Comment.objects.by_email(email).count()
        if not privacy.held_about(email):
            self.stdout.write(
                f"Nothing is stored about {email}: no comment, no follow-up, no subscription; nothing to erase."
            )
            return
        if interactive:
            verb = "delete" if delete else "anonymise"
            question = (
                f"This will {verb} {count} comment{pluralize(count)} written with {email}. It cannot be undone.\n"
                "Type 'yes' to continue, or 'no' to cancel: "
            )
            try:
                answer = input(question)
            except EOFError:  # no terminal to answer from (a script, cron)
                raise CommandError("Nobody answered; pass --no-input to erase without asking.") from None
            if answer != "yes":
                self.stdout.write("Erase cancelled.")
                return
        changed = privacy.erase(email, delete=delete)
        if delete:
            message = (
                f"Erased {changed} comment{pluralize(changed)} by {email}: deleted, "
                f"or emptied and signed “{privacy.ANONYMOUS}” where replies hang from them."
            )
        else:
            message = (
                f"Anonymised {changed} comment{pluralize(changed)} by {email}: signed “{privacy.ANONYMOUS}”, "
                "with no email, website, IP address, user agent or referrer; the words stay."
            )
        self.stdout.write(self.style.SUCCESS(message))
