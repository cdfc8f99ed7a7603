"""Ask Akismet again, at once, about every comment still waiting for a verdict (after an outage, say)."""

from django.core.management.base import BaseCommand
from django.template.defaultfilters import pluralize

from comments import moderation, spam
from comments.models import Comment

Verdict = Comment.Verdict

# How each verdict reads in the summary, in the order it is listed.
PHRASES = {
    Verdict.HAM: "not spam",
    Verdict.SPAM: "spam",
    Verdict.DISCARD: "blatant spam",
    Verdict.ERROR: "still unchecked (Akismet could not be reached)",
    Verdict.UNCHECKED: "not checked",
}


class Command(BaseCommand):
    help = "Re-check with Akismet every comment still waiting for a spam verdict, due or not."

    def handle(self, *args, **options):
        if not spam.is_configured():
            self.stdout.write(
                self.style.WARNING(
                    "No AKISMET_API_KEY is configured: spam screening is off, so there is nothing "
                    "to re-check. Moderators decide on every comment by hand."
                )
            )
            return
        results = moderation.recheck_all()
        if not results:
            self.stdout.write("No comment is waiting for a spam check.")
            return
        total = sum(results.values())
        parts = ", ".join(f"{results[verdict]} {phrase}" for verdict, phrase in PHRASES.items() if verdict in results)
        self.stdout.write(self.style.SUCCESS(f"Re-checked {total} comment{pluralize(total)}: {parts}."))
        if failed := results.get(Verdict.ERROR):
            self.stderr.write(
                f"Akismet could not be reached for {failed} comment{pluralize(failed)}; "
                f"{pluralize(failed, 'it stays,they stay')} in the moderation queue. Try again later."
            )
