"""WordPress posts → reviews: text, dates, status, author, film, hero image, rating, old links."""

import re
from urllib.parse import unquote

from django.utils import timezone
from django.utils.text import Truncator, slugify

from reviews.models import Film, Review, unique_slug

from ..models import ImportedItem
from . import wxr
from .convert import html_to_markdown, plain_text

YEAR_IN_TITLE = re.compile(r"\s*[\(\[]((?:18|19|20)\d\d)[\)\]]\s*$")
TITLE_PREFIX = re.compile(r"^(?:film\s+)?review\s*[:\-–—]\s*", re.I)
PLACEHOLDER_TITLE = "Film not yet chosen"
PLACEHOLDER_YEAR = 1888  # the year of the first film: no real review is about it by accident


def film_guesses(item: wxr.Item) -> tuple[list[str], int | None]:
    """The titles the post may be about, best first, and the year from its title, categories or tags.

    An export of this site (`export_wordpress`) names the film in two private post meta keys: they win."""
    named, named_year = item.meta.get("_reviewblog_film_title"), item.meta.get("_reviewblog_film_year")
    if isinstance(named, str) and named.strip():
        year = wxr.as_int(named_year if isinstance(named_year, str) else "")
        return [named.strip()], year or None
    title = item.title
    year = None
    if match := YEAR_IN_TITLE.search(title):
        year, title = int(match.group(1)), title[: match.start()]
    else:
        for term in item.terms:
            if term.name.isdigit() and len(term.name) == 4 and 1880 <= int(term.name) <= 2100:
                year = int(term.name)
                break
    title = TITLE_PREFIX.sub("", title).strip()
    guesses = [title]
    if ":" in title:
        guesses.append(title.rsplit(":", 1)[1].strip())  # "From the World of John Wick: Ballerina"
        guesses.append(title.split(":", 1)[0].strip())  # "Atomic Blonde: the stairwell"
    return [guess for guess in guesses if guess], year


def saved_values(review: Review) -> list:
    return [getattr(review, field.attname) for field in Review._meta.concrete_fields]


class PostImporter:
    def __init__(self, importer):
        self.importer = importer
        self.placeholder: Film | None = None

    def import_post(self, item: wxr.Item) -> Review | None:
        importer, report = self.importer, self.importer.report
        if item.status == "trash":
            report.skip("posts", "in WordPress's trash")
            return None
        record = importer.existing(ImportedItem.Kind.POST, item.id)
        review = record.target if record else None
        outcome = "updated" if review else "imported"
        review = review or Review()
        before = saved_values(review)

        converted = html_to_markdown(
            item.content,
            rewrite_url=lambda url: importer.media.rewrite(url, post_id=item.id),
            alt_for=importer.media.alt_for,
        )
        review.title = Truncator(item.title or f"Post {item.id}").chars(200)
        review.body = converted.markdown
        review.rating = converted.rating
        standfirst = plain_text(item.excerpt) or plain_text(review.body.split("\n\n", 1)[0].replace("#", ""))
        review.standfirst = Truncator(standfirst or review.title).chars(300)
        review.author = importer.author_for(item.creator)
        review.comments_open = item.comments_open
        published_at = importer.aware(item.date, item.date_gmt)
        review.published_at = published_at or review.published_at or timezone.now()
        # publish → published; future → published with its later date (this site's scheduling);
        # draft, pending, private → draft (this site has no private reviews).
        published = item.status in ("publish", "future")
        film, matched = self.film_for(item, review)
        review.film = film
        review.status = Review.Status.PUBLISHED if published and matched else Review.Status.DRAFT
        if not review.slug:
            wanted = slugify(unquote(item.slug)) or slugify(item.title) or f"post-{item.id}"
            review.slug = unique_slug(review, wanted)
        self.hero(item, review)
        if review.pk is None or saved_values(review) != before:
            review.save()  # an unchanged review is not saved again: no revision, no page moved
        if matched and film.pk != getattr(self.placeholder, "pk", None):
            film.genres.add(*[g for term in item.terms if (g := importer.genre_for(term))])
        else:
            for term in item.terms:
                importer.genre_for(term)  # their archives still lead somewhere
        data = {"status": item.status, "link": item.link, "sticky": item.sticky}
        importer.remember(ImportedItem.Kind.POST, item.id, review, item=record, data=data)
        if item.sticky:
            report.sticky.append(f"post {item.id} “{review.title}” → {review.get_absolute_url()}")
        if item.status == "private":
            report.notes.append(f"post {item.id} “{review.title}” was private in WordPress: imported as a draft")
        self.links(item, review)
        report.count("posts", outcome)
        return review

    def film_for(self, item: wxr.Item, review: Review) -> tuple[Film, bool]:
        """(the film, whether it is the real one): matched by title and year, made with --create-films,
        kept if a person already chose one, or else the placeholder (and the post is listed as unmatched)."""
        importer = self.importer
        titles, year = film_guesses(item)
        for title in titles:
            films = Film.objects.filter(title__iexact=title)
            if year:
                films = films.filter(release_year=year)
            found = list(films[:2])
            if len(found) == 1:
                return found[0], True
        placeholder = self.placeholder_film()
        if review.film_id and review.film_id != placeholder.pk:
            return review.film, True  # an editor linked it after an earlier import
        if importer.create_films and titles and year:
            film = Film.objects.create(title=titles[0][:200], release_year=year)
            importer.remember(ImportedItem.Kind.FILM, f"post:{item.id}", film)
            importer.report.count("films", "imported")
            return film, True
        guess = f"{titles[0] if titles else '?'}, {year or 'year unknown'}"
        importer.report.unmatched.append(f"post {item.id} “{item.title}” (looked for: {guess})")
        return placeholder, False

    def placeholder_film(self) -> Film:
        if self.placeholder is None:
            record = self.importer.existing(ImportedItem.Kind.FILM, "placeholder")
            film = record.target if record else None
            if film is None:
                film = Film.objects.create(
                    title=PLACEHOLDER_TITLE,
                    release_year=PLACEHOLDER_YEAR,
                    synopsis="Imported WordPress posts whose film could not be matched wait here, as drafts, "
                    "until an editor chooses their film.",
                )
                self.importer.remember(ImportedItem.Kind.FILM, "placeholder", film)
            self.placeholder = film
        return self.placeholder

    def hero(self, item: wxr.Item, review: Review) -> None:
        value = item.meta.get("_thumbnail_id")
        thumbnail = wxr.as_int(value if isinstance(value, str) else "")
        if not thumbnail:
            return
        attachment = self.importer.media.by_id.get(thumbnail)
        if attachment is None:
            self.importer.report.notes.append(f"post {item.id}: its featured image {thumbnail} is not in the export")
            return
        stored = self.importer.media.store(attachment, post_id=item.id)
        if stored is None:
            return
        alt = attachment.alt.strip()
        if not alt:
            self.importer.report.notes.append(
                f"post {item.id}: featured image {attachment.rel} has no alt text, so it was left out; "
                "add it with its description in the admin"
            )
            return
        if self.importer.dry_run:
            return  # nothing was stored to point at
        if review.hero_image.name != stored.file:
            review.hero_image = stored.file
        review.hero_alt = alt[:500]

    def links(self, item: wxr.Item, review: Review) -> None:
        """Every address the post had, in the permalink structures WordPress offers, leads to the review."""
        slug = unquote(item.slug)
        paths = {f"/?p={item.id}"}
        if item.link:
            paths.add(self.importer.local_path(item.link))
        if slug and item.date:
            d = item.date
            paths |= {
                f"/{d:%Y}/{d:%m}/{d:%d}/{slug}/",
                f"/{d:%Y}/{d:%m}/{slug}/",
                f"/{slug}/",
                f"/archives/{item.id}/",
                f"/index.php/{d:%Y}/{d:%m}/{d:%d}/{slug}/",
            }
        feeds = {path.rstrip("/") + "/feed/" for path in paths if not path.startswith("/?")}
        # A post's comment feed leads to the review too: its page holds the comments now.
        self.importer.links(dict.fromkeys(sorted(paths | feeds), ""), review)
