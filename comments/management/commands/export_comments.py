"""Give a reader everything the site keeps about their comments (a data-access request), as JSON."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand
from django.template.defaultfilters import pluralize

from comments import privacy


class Command(BaseCommand):
    help = "Print, as JSON, every comment written with EMAIL and what the site stores about it."

    def add_arguments(self, parser):
        parser.add_argument("email", help="The reader's email address (any case).")
        parser.add_argument("--output", "-o", metavar="FILE", help="Write the JSON to FILE instead of the screen.")

    def handle(self, *args, email, output=None, **options):
        data = privacy.export(email)
        text = json.dumps(data, indent=2, ensure_ascii=False)
        if not data:
            # Still valid JSON ("[]") on stdout or in the file, so a script can rely on it.
            self.stderr.write(f"No comment was written with {email}.")
        if output:
            Path(output).write_text(text + "\n", encoding="utf-8")
            self.stdout.write(f"Wrote {len(data)} comment{pluralize(len(data))} by {email} to {output}.")
        else:
            self.stdout.write(text)
