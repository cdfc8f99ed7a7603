"""python manage.py backup PATH: one consistent backup of the database and the public media (see README, Backups)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reviewblog import backup


class Command(BaseCommand):
    help = (
        "Write a backup to PATH (a new folder, or a file ending in .tar): the database as one snapshot taken while "
        "the site goes on writing (SQLite's online backup, or pg_dump), every file of the default media storage, "
        "and a manifest of row counts, row digests and file checksums that restore checks against."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path, **options):
        try:
            manifest = backup.backup(path)
        except FileExistsError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Backed up {backup.contents(manifest)} ({manifest['vendor']}) to {path} in {manifest['seconds']} s."
        )
