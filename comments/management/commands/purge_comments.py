"""Apply the retention periods the privacy page promises (the site also does this once a day by itself)."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.template.defaultfilters import pluralize

from comments import privacy


class Command(BaseCommand):
    help = (
        "Forget the IP address, user agent and referrer of comments older than COMMENT_PERSONAL_DATA_DAYS, "
        "and delete spam and trash older than COMMENT_SPAM_DAYS."
    )

    def handle(self, *args, **options):
        done = privacy.purge()
        forgotten, deleted = done["personal data forgotten"], done["spam and trash deleted"]
        self.stdout.write(
            f"Forgot the IP address, user agent and referrer of {forgotten} comment{pluralize(forgotten)} "
            f"older than {settings.COMMENT_PERSONAL_DATA_DAYS} days."
        )
        self.stdout.write(
            f"Deleted {deleted} spam or trashed comment{pluralize(deleted)} "
            f"older than {settings.COMMENT_SPAM_DAYS} days."
        )
