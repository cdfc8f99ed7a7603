"""python manage.py import_wordpress EXPORT.xml [--media DIR] [--dry-run [--films-out FILE]] [--create-films]
[--films FILE] [--genres FILE]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reviewblog.wordpress import mapping, wxr
from reviewblog.wordpress.importer import Importer


def read_genre_map(path: Path) -> dict[str, str]:
    """Lines of "wordpress-slug = Genre name"; an empty right side leaves that category or tag out."""
    mapping = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if "=" not in line:
            raise CommandError(f"{path}, line {number}: expected “slug = Genre name”, got “{line}”.")
        slug, name = (part.strip() for part in line.split("=", 1))
        mapping[slug] = name
    return mapping


class Command(BaseCommand):
    help = (
        "Import a WordPress export (Tools → Export, WXR): posts become reviews, comments keep their threads, "
        "status and Akismet history, images come from --media, and the old addresses answer 301. Run it again "
        "to update: nothing is duplicated."
    )

    def add_arguments(self, parser):
        parser.add_argument("export", type=Path, help="the .xml file WordPress wrote")
        parser.add_argument("--media", type=Path, help="a copy of the blog's wp-content/uploads (or the folder above)")
        parser.add_argument("--dry-run", action="store_true", help="report what would happen; change nothing")
        parser.add_argument(
            "--create-films", action="store_true", help="make a film for each post whose film is not in the catalogue"
        )
        parser.add_argument(
            "--films",
            type=Path,
            help="a film mapping (the CSV a dry run writes, edited): each post gets exactly the film it names",
        )
        parser.add_argument(
            "--films-out",
            type=Path,
            help="where a dry run writes the film mapping (default: beside the export, <name>-films.csv)",
        )
        parser.add_argument("--genres", type=Path, help="a file of “slug = Genre” lines mapping categories and tags")
        parser.add_argument(
            "--max-post-kb",
            type=int,
            default=wxr.DEFAULT_MAX_POST_BYTES // 1024,
            help="refuse an export holding a post with more text than this (default %(default)s KB)",
        )

    def handle(self, *args, export, media, dry_run, create_films, films, films_out, genres, max_post_kb, **options):
        if not export.is_file():
            raise CommandError(f"No such file: {export}")
        if media is not None and not media.is_dir():
            raise CommandError(f"--media {media} is not a folder.")
        film_map = None
        if films is not None:
            try:
                film_map = mapping.read(films.read_text(encoding="utf-8-sig"))
            except OSError as error:
                raise CommandError(f"--films {films}: {error.strerror or error}.") from None
            except (mapping.MappingError, UnicodeDecodeError) as error:
                raise CommandError(f"--films {films}: {error}") from None
        importer = Importer(
            export,
            media_dir=media,
            dry_run=dry_run,
            create_films=create_films,
            film_map=film_map,
            genre_map=read_genre_map(genres) if genres else None,
            max_post_bytes=max_post_kb * 1024,
        )
        try:
            report = importer.run()
        except wxr.ExportError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(report.render(dry_run=dry_run))
        if dry_run or films_out:
            out = films_out or export.with_name(f"{export.stem}-films.csv")
            out.write_text(importer.mapping_csv(), encoding="utf-8")
            self.stdout.write(
                f"Film mapping of {len(importer.film_rows)} posts written to {out}: correct its film_title and "
                f"film_year columns (an empty title: no film), then import with --films {out}."
            )
