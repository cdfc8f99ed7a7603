"""Build the responsive renditions of hero images, posters and photos that are missing.

For images uploaded before renditions existed, content loaded by other means, after changing
IMAGE_RENDITION_WIDTHS or after rendition files were lost (with --force: pages trust the rows' records
and never look in storage). Safe to run any time; new uploads get theirs from the task worker, which
also catches up by itself (reviews/renditions.py).
"""

from django.core.management.base import BaseCommand

from reviews import renditions


class Command(BaseCommand):
    help = "Make the WebP and JPEG/PNG renditions every hero image, poster and photo is missing."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Rebuild every image's renditions, even complete ones."
        )

    def handle(self, *args, force=False, **options):
        made, failed = renditions.make_missing(force=force)
        self.stdout.write(self.style.SUCCESS(f"Made renditions of {made} image(s)."))
        if failed:
            self.stderr.write(
                self.style.WARNING(f"{failed} image(s) could not be read; their pages show the original.")
            )
