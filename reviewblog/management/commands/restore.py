"""python manage.py restore PATH [--force]: bring a backup back into an empty database and media storage."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reviewblog import backup


class Command(BaseCommand):
    help = (
        "Restore the backup at PATH into the default database and media storage, then check every table and file "
        "against its manifest; exits non-zero on any difference. Refuses a database that already holds reviews "
        "or comments unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--force", action="store_true", help="replace a database that already holds a site")

    def handle(self, *args, path, force, **options):
        started = time.monotonic()
        try:
            manifest, problems = backup.restore(path, force=force)
        except backup.RestoreRefused as error:
            raise CommandError(str(error)) from error
        seconds = time.monotonic() - started
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"{len(problems)} differences from the backup's manifest")
        self.stdout.write(
            f"Restored {backup.contents(manifest)} from {path} (taken {manifest['taken_at']}) in {seconds:.2f} s; "
            "all match the manifest."
        )
