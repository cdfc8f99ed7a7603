"""python manage.py export_wordpress [--output FILE] [--site-url URL] > export.xml"""

import sys

from django.core.management.base import BaseCommand

from reviewblog.wordpress.export import Exporter


class Command(BaseCommand):
    help = (
        "Write the site as a WordPress export (WXR 1.2) that WordPress's importer and import_wordpress read: "
        "reviews as posts, their hero images and the images in their text as attachments, simple pages as "
        "pages, genres as categories, authors, and comments with their threads, status and Akismet history. "
        "Written as it is read, so memory stays flat."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="write to this file instead of standard output")
        parser.add_argument("--site-url", help="the address links and images are written with (default: SITE_URL)")
        parser.add_argument(
            "--source",
            help="the WordPress blog whose ids to give back, as import_wordpress remembered it "
            "(“wordpress:https://old.example”); default: the one most reviews came from",
        )

    def handle(self, *args, output, site_url, source, **options):
        exporter = Exporter(source=source, site_url=site_url)
        if output:
            with open(output, "w", encoding="utf-8", newline="\n") as out:
                exporter.write(out)
            return
        stream = self.stdout._out  # the raw stream: OutputWrapper would add a newline to every chunk
        if stream is sys.stdout and hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")  # the file says UTF-8, whatever the terminal's locale
        exporter.write(stream)
