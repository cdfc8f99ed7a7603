"""Give a reader everything the site keeps about their email address (a data-access request), as JSON:
their comments, the follow-up emails they asked for, and what other apps keep (the newsletter)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand
from django.template.defaultfilters import pluralize

from comments import privacy


class Command(BaseCommand):
    help = "Print, as JSON, every comment written with EMAIL, the follow-ups it asked for, and what the site stores."

    def add_arguments(self, parser):
        parser.add_argument("email", help="The reader's email address (any case).")
        parser.add_argument("--output", "-o", metavar="FILE", help="Write the JSON to FILE instead of the screen.")

    def handle(self, *args, email, output=None, **options):
        data = privacy.export(email)
        text = json.dumps(data, indent=2, ensure_ascii=False)
        comments, follow_ups = len(data["comments"]), len(data["follow_ups"])
        if not privacy.held_about(email):
            # Still valid JSON (empty lists) on stdout or in the file, so a script can rely on it.
            self.stderr.write(f"Nothing is stored about {email}: no comment, no follow-up, no subscription.")
        if output:
            Path(output).write_text(text + "\n", encoding="utf-8")
            self.stdout.write(
                f"Wrote {comments} comment{pluralize(comments)} and {follow_ups} follow-up{pluralize(follow_ups)}"
                f" of {email} to {output}."
            )
        else:
            self.stdout.write(text)
