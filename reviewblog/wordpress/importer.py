"""A WordPress export made into reviews, comments, images and old links (`manage.py import_wordpress`).

Two passes over the file, each streaming: the first checks the whole export (well-formed, no entities,
no oversized post, every comment's parent present) and notes its attachments, so a hostile or broken
file is refused before anything is written; the second imports, one transaction per post, so a bad
item never leaves half a post (and the site keeps serving and taking comments meanwhile). Every object
remembers its WordPress id (`ImportedItem`): a second run updates what the first made and never
duplicates it, so a run cut short is finished by running it again. A dry run does all of it inside one
transaction that is rolled back (and stores no file), so it prints the very report the real run would.

`progress(phase, done, total)`, if given, hears how far it got: ("checking", items read, 0) during the
first pass, then ("importing", items done, items in the file), at most every `progress_every` items.
"""

from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, transaction
from django.utils import timezone

from reviews.models import Genre, every_page_touched_after

from ..models import ImportedItem, OldLink
from . import mapping, wxr
from .comments import CommentImporter
from .convert import plain_text
from .films import term_role, title_key
from .here import AlreadyHere
from .media import Attachment, MediaLibrary, attached_file, upload_path
from .pages import PageImporter
from .posts import PostImporter
from .report import Report

User = get_user_model()


NOT_LOOKED_UP = object()


class RolledBack(Exception):
    """Raised at the end of a dry run to undo it."""


class Importer:
    def __init__(
        self,
        path,
        *,
        media_dir=None,
        dry_run=False,
        create_films=False,
        film_map=None,
        genre_map=None,
        max_post_bytes=wxr.DEFAULT_MAX_POST_BYTES,
        progress=None,
        progress_every=20,
    ):
        self.path = Path(path)
        self.dry_run = dry_run
        self.create_films = create_films
        self.film_map = film_map or {}  # WordPress post id → (film title or "" for none, year): the editor's word
        self.film_rows: list[mapping.Row] = []  # every post's film, for the mapping file
        self.genre_map = genre_map  # WordPress term slug → genre name ("" to leave it out), or None
        self.max_post_bytes = max_post_bytes
        self.progress = progress or (lambda phase, done, total: None)
        self.progress_every = max(1, progress_every)
        self.total = 0  # items in the export, counted by the first pass
        self.report = Report()
        self.media = MediaLibrary(self, media_dir)
        self.source = ""
        self.site = wxr.Site()
        self.users: dict[str, object] = {}  # WordPress login → user
        self.user_ids: dict[int, object] = {}  # WordPress user id → user
        self.terms: dict[tuple[str, str], wxr.Term] = {}  # (kind, slug) → term
        self.genres: dict[tuple[str, str], Genre | None] = {}
        self.posts = PostImporter(self)
        self.comments = CommentImporter(self)
        self.pages = PageImporter(self)
        self.here = AlreadyHere(self)  # this site's own posts and pages, when the export is this site's

    # --- The two passes ---

    def run(self) -> Report:
        self.check()
        if not self.dry_run:
            # One transaction per post (import_item), not one for the whole file; the pages listing the
            # reviews are touched once at the end, not after every save (most of a post's queries).
            with every_page_touched_after():
                self.load_and_count()
            return self.report
        try:
            with transaction.atomic(), every_page_touched_after():
                self.load_and_count()
                raise RolledBack
        except RolledBack:
            pass
        return self.report

    def check(self) -> None:
        """The first pass: refuse a hostile or broken export before anything is written; note attachments."""
        for entry in wxr.read(self.path, max_post_bytes=self.max_post_bytes):
            if isinstance(entry, wxr.Site):
                self.site = entry
                self.source = "wordpress:" + (entry.base_blog_url or entry.link or entry.base_site_url).rstrip("/")
            elif isinstance(entry, wxr.Item):
                self.total += 1
                if self.total % self.progress_every == 0:
                    self.progress("checking", self.total, 0)
                ids = {comment.id for comment in entry.comments}
                for comment in entry.comments:
                    if comment.parent and comment.parent not in ids:
                        raise wxr.ExportError(
                            f"Comment {comment.id} on post {entry.id} (“{entry.title[:60]}”) answers comment "
                            f"{comment.parent}, which is not in the export: the file is incomplete or was edited. "
                            "Nothing was imported."
                        )
                if entry.post_type == "page":
                    self.pages.note(entry)
                self.here.note(entry)
                rel = upload_path(entry.attachment_url) or attached_file(entry.meta.get("_wp_attached_file"))
                if entry.post_type == "attachment" and rel:
                    alt = entry.meta.get("_wp_attachment_image_alt", "")
                    alt = alt if isinstance(alt, str) else ""
                    caption = plain_text(entry.excerpt)
                    self.media.add(
                        Attachment(
                            entry.id,
                            rel,
                            alt=alt,
                            caption=caption,
                            title=entry.title,
                            link=entry.link,
                            url=entry.attachment_url,
                        )
                    )
        self.here.settle()

    def load_and_count(self) -> None:
        try:
            self.load()
        finally:
            self.comments.count_comments()  # also after a failure: the posts committed so far count

    def load(self) -> None:
        done = 0
        self.progress("importing", done, self.total)
        for entry in wxr.read(self.path, max_post_bytes=self.max_post_bytes):
            if isinstance(entry, wxr.Author):
                self.import_author(entry)
            elif isinstance(entry, wxr.Term):
                self.terms[(entry.kind, entry.slug)] = entry
            elif isinstance(entry, wxr.Item):
                self.import_item(entry)
                done += 1
                if done % self.progress_every == 0:
                    self.progress("importing", done, self.total)
        self.site_links()
        if unknown := sorted(set(self.film_map) - {row.wordpress_id for row in self.film_rows}):
            listed = ", ".join(map(str, unknown[:20])) + (" …" if len(unknown) > 20 else "")
            self.report.notes.append(f"the film mapping names posts that are not in this export: {listed}")
        self.progress("importing", done, self.total)

    def import_item(self, item: wxr.Item) -> None:
        if item.post_type == "attachment":
            attachment = self.media.by_id.get(item.id)
            if item.parent in self.here:  # an image of a review already here, as its file is
                self.report.skip("images", "already here")
            elif attachment is None:
                self.report.skip("images", "attachments without a file address")
            else:
                with transaction.atomic():
                    self.media.store(attachment)
            return
        if item.post_type == "page":
            try:
                with transaction.atomic():
                    self.pages.import_page(item)
            except (DatabaseError, ValueError) as error:
                self.report.skip("pages", "failed (see notes)")
                self.report.notes.append(f"page {item.id} “{item.title[:60]}” was not imported: {error}")
            return
        if item.post_type != "post":
            self.report.skip("posts", f"of type {item.post_type}")
            return
        try:
            with transaction.atomic():
                review = self.posts.import_post(item)
                if review is not None:
                    self.comments.import_comments(item, review)
        except (DatabaseError, ValueError) as error:
            self.report.skip("posts", "failed (see notes)")
            self.report.notes.append(f"post {item.id} “{item.title[:60]}” was not imported: {error}")

    # --- Authors and genres ---

    def import_author(self, author: wxr.Author) -> None:
        if not author.login:
            return
        item = self.existing(ImportedItem.Kind.AUTHOR, author.login)
        user = item.target if item else None
        outcome = "updated"
        if user is None:
            user = User.objects.filter(username=author.login).first()
            outcome = "matched an existing user" if user else "imported"
        if user is None:
            user = User(username=author.login, is_staff=True)
            user.set_unusable_password()  # they set one with "forgot password", or an admin does
        user.email = user.email or author.email
        user.first_name = user.first_name or (author.first_name or author.display_name)[:150]
        user.last_name = user.last_name or author.last_name[:150]
        user.is_staff = True
        user.save()
        authors, _ = Group.objects.get_or_create(name="Authors")
        user.groups.add(authors)
        self.remember(ImportedItem.Kind.AUTHOR, author.login, user, item=item, data={"wordpress_id": author.id})
        self.users[author.login] = user
        if author.id.isdigit():
            self.user_ids[int(author.id)] = user
        self.report.count("authors", outcome)

    def author_for(self, login: str):
        if login not in self.users:
            self.import_author(wxr.Author(login=login or "wordpress"))
        return self.users[login or "wordpress"]

    def note_film(self, item: wxr.Item, review, guess) -> None:
        """Keep the post's film for the mapping file, and list it in the report if a person should look."""
        film = review.film
        title, year = (film.title, film.release_year) if film else (guess.title, guess.year)
        self.film_rows.append(
            mapping.Row(item.id, item.title, item.status, title, year, guess.confidence, guess.found_by)
        )
        post = f"post {item.id} “{item.title[:80]}”"
        if review.film_to_check and film is not None:
            self.report.films_to_check.append(f"{post} → {film} ({guess.confidence}%, from {guess.found_by})")
        elif review.film_to_check and title:
            self.report.films_to_check.append(
                f"{post} → “{title}”{f' ({year})' if year else ''}, not in the catalogue: published without a film "
                f"({guess.confidence}%, from {guess.found_by}; --create-films or a mapping makes it)"
            )
        elif review.film_to_check:
            self.report.films_to_check.append(f"{post} → no film ({guess.confidence}%: {guess.found_by})")
        elif film is None:
            self.report.articles.append(f"{post} ({guess.found_by})")

    def mapping_csv(self) -> str:
        return mapping.write(self.film_rows)

    def genre_for(self, term: wxr.Term, *, film=None) -> Genre | None:
        key = (term.kind, term.slug)
        if key in self.genres:
            return self.genres[key]
        term = self.terms.get(key, term)  # the export's header knows its id and parent; a post only its name
        role, year = term_role(term, self.terms)
        if self.genre_map is not None:
            name = self.genre_map.get(term.slug, "")
        elif term.slug == "uncategorized" or role:
            # WordPress's default category; a year, a "Reviews" section or a film's own category, which
            # name no genre: their archives lead to the year, the archive or the film instead.
            name = ""
            if role == "year":
                self.term_links(term, url=f"/archive/{year}/")
            elif role == "section":
                self.term_links(term, url="/archive/")
            elif role == "film" and film is not None and title_key(film.title) == title_key(term.name):
                self.term_links(term, film)
        else:
            name = term.name
        genre = None
        if name:
            genre = Genre.objects.filter(name__iexact=name).first()
            if genre is None:
                genre = Genre.objects.create(name=name[:60])
                self.report.count("genres", "imported")
            kind = ImportedItem.Kind.CATEGORY if term.kind == "category" else ImportedItem.Kind.TAG
            self.remember(kind, term.slug, genre, data={"name": term.name, "id": term.id})
            self.term_links(term, genre)
        self.genres[key] = genre
        return genre

    def term_links(self, term: wxr.Term, genre=None, *, url: str = "") -> None:
        """The old archive addresses of a category or tag lead to `genre` (or another object), or `url`."""
        paths = {}  # path → suffix
        if term.kind == "category":
            slugs, parent = [term.slug], term.parent
            while parent and len(slugs) < 10 and (above := self.terms.get(("category", parent))):
                slugs.insert(0, above.slug)
                parent = above.parent
            base = "/category/" + "/".join(unquote(slug) for slug in slugs) + "/"
            if term.id:
                paths[f"/?cat={term.id}"] = ""
        else:
            base = f"/tag/{unquote(term.slug)}/"
            paths[f"/?tag={term.slug}"] = ""
        paths[base] = ""
        if url:  # a page of this site: the archive's feed is the feed of every review
            self.links(paths, url=url)
            self.link(base + "feed/", url="/feed/")
        else:
            paths[base + "feed/"] = "feed/"
            self.links(paths, genre)

    def site_links(self) -> None:
        """The old blog's feeds: its comments feed and query-string feeds lead to the feed of reviews."""
        paths = ("/comments/feed/", "/?feed=rss2", "/?feed=rss", "/?feed=atom", "/feed/rss2/", "/feed/rss/")
        self.links(dict.fromkeys(paths, ""), url="/feed/")

    # --- Bookkeeping shared by the parts ---

    def existing(self, kind: str, source_id) -> ImportedItem | None:
        return ImportedItem.objects.filter(source=self.source, kind=kind, source_id=str(source_id)).first()

    def remember(self, kind: str, source_id, obj, *, item=NOT_LOOKED_UP, data=None) -> ImportedItem:
        """Note what `source_id` became; `item` is its record if the caller looked it up (None: there is none)."""
        if item is NOT_LOOKED_UP:
            item = self.existing(kind, source_id)
        item = item or ImportedItem(source=self.source, kind=kind)
        item.source_id = str(source_id)
        item.content_type = ContentType.objects.get_for_model(obj)
        item.object_id = obj.pk
        if data:
            item.data = {**item.data, **data}
        self.save_item(item)
        return item

    def save_item(self, item: ImportedItem) -> None:
        item.save()

    def local_path(self, url: str) -> str:
        """An address of the old blog as this site sees a request for it: the path (decoded), or "/?p=12"."""
        parts = urlsplit(url)
        base = urlsplit(self.site.base_blog_url or self.site.link).path.rstrip("/")
        path = unquote(parts.path) or "/"
        if base and path.startswith(base + "/"):
            path = path[len(base) :]  # a blog that lived under /blog/ is now at the root
        if parts.query and path == "/":
            return f"/?{parts.query.split('&', 1)[0]}"
        return path

    def link(self, path: str, obj=None, *, suffix: str = "", url: str = "") -> None:
        """Remember that `path` of the old blog now lives at `obj` (+ suffix) or at `url`; the latest wins."""
        self.links({path: suffix}, obj, url=url)

    def links(self, paths: dict[str, str], obj=None, *, url: str = "") -> None:
        """`link` for many paths ({path: suffix}) to one target: one query to read them, one to add the
        new ones, one to change those that led elsewhere (a post's dozen addresses cost three, not 24)."""
        paths = {path: suffix for path, suffix in paths.items() if path and path != "/" and len(path) <= 500}
        if not paths:
            return
        target = {"url": url, "content_type_id": None, "object_id": None}
        if obj is not None:
            target |= {"url": "", "content_type_id": ContentType.objects.get_for_model(obj).pk, "object_id": obj.pk}
        known = OldLink.objects.in_bulk(list(paths), field_name="path")
        new, changed = [], []
        for path, suffix in paths.items():
            wanted = {**target, "suffix": suffix}
            if (old := known.get(path)) is None:
                new.append(OldLink(path=path, **wanted))
            elif any(getattr(old, name) != value for name, value in wanted.items()):
                for name, value in wanted.items():
                    setattr(old, name, value)
                changed.append(old)
            self.report.count("old links", "updated" if old else "imported")
        OldLink.objects.bulk_create(new)
        OldLink.objects.bulk_update(changed, ["url", "suffix", "content_type", "object_id"])

    def aware(self, local, gmt):
        """A WordPress date in UTC: its _gmt twin where set, else the local time read in this site's zone."""
        if gmt:
            return wxr.gmt(gmt)
        if local:
            return timezone.make_aware(local)
        return None
