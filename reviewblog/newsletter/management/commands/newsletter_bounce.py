"""Stop the newsletter to addresses the mail system reported: a hard bounce or a complaint. The mail
system's bounce processing (a pipe, a webhook's script) calls it with each address."""

from django.core.management.base import BaseCommand

from reviewblog.newsletter import signup


class Command(BaseCommand):
    help = "Mark newsletter subscribers inactive after a bounce or a spam complaint; nothing more is sent to them."

    def add_arguments(self, parser):
        parser.add_argument("emails", nargs="+", metavar="EMAIL", help="The addresses that bounced or complained.")
        parser.add_argument("--complaint", action="store_true", help="A complaint (marked as spam), not a bounce.")

    def handle(self, *args, emails, complaint=False, **options):
        reason = "complaint" if complaint else "bounce"
        stopped = sum(signup.stop(email, reason) for email in emails)
        self.stdout.write(f"Stopped {stopped} of {len(emails)} address{'es' if len(emails) != 1 else ''} ({reason}).")
