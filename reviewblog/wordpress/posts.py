"""WordPress posts → reviews: text, dates, status, author, film, hero image and caption, rating, spoiler flag,
scorecard, old links."""

from decimal import Decimal, InvalidOperation
from functools import cached_property
from urllib.parse import unquote

from django.db import models
from django.utils import timezone
from django.utils.text import Truncator, slugify

from reviews.models import Film, Review, ReviewAspect, unique_slug

from ..models import ImportedItem
from . import wxr
from .convert import html_to_markdown, plain_text
from .films import FILM_TITLE_META, FILM_YEAR_META, NAMED, Catalogue, Guess, guess_film

# An export of this site (`export_wordpress`) also keeps, in private post meta, what WordPress has no field
# for: the "contains spoilers" flag ("1" or "0") and the scorecard (a serialized array of name and score).
# Posts without them (every real WordPress blog's) leave both as they are.
SPOILERS_META, SCORECARD_META = "_reviewblog_contains_spoilers", "_reviewblog_scorecard"
ASPECT_NAMES = {name.casefold(): name for name in ReviewAspect.Name.values}
HALF_STEPS = {Decimal(n) / 2 for n in range(1, 11)}

# Posts of earlier imports whose film was not found waited as drafts on this film; they are matched again.
PLACEHOLDER_TITLE = "Film not yet chosen"


def saved_values(review: Review) -> list:
    return [getattr(review, field.attname) for field in Review._meta.concrete_fields]


class PostImporter:
    def __init__(self, importer):
        self.importer = importer

    def import_post(self, item: wxr.Item) -> Review | None:
        importer, report = self.importer, self.importer.report
        if item.status == "trash":
            report.skip("posts", "in WordPress's trash")
            return None
        if item.id in importer.here:
            report.skip("posts", "already here")
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
        # What readers could read yesterday they can read today, whatever its film: publish → published;
        # future → published with its later date (this site's scheduling); draft, pending, private → draft
        # (this site has no private reviews).
        review.status = Review.Status.PUBLISHED if item.status in ("publish", "future") else Review.Status.DRAFT
        self.choose_film(item, review)
        if not review.slug:
            wanted = slugify(unquote(item.slug)) or slugify(item.title) or f"post-{item.id}"
            review.slug = unique_slug(review, wanted)
        self.hero(item, review)
        if SPOILERS_META in item.meta:
            review.contains_spoilers = str(item.meta[SPOILERS_META]).strip() == "1"
        if review.pk is None or saved_values(review) != before:
            review.save()  # an unchanged review is not saved again: no revision, no page moved
        # Its last edit in WordPress, not the day of the import, or pages would say "updated" on every post.
        # The plain QuerySet.update: the import moves every page's stamp once, when it ends.
        modified = importer.aware(item.modified, item.modified_gmt) or review.published_at
        if review.updated_at != modified:
            review.updated_at = modified
            models.QuerySet.update(Review.objects.filter(pk=review.pk), updated_at=modified)
        if SCORECARD_META in item.meta:
            self.scorecard(item, review)
        genres = [genre for term in item.terms if (genre := importer.genre_for(term, film=review.film))]
        if review.film is not None:
            review.film.genres.add(*genres)
        data = {"status": item.status, "link": item.link, "sticky": item.sticky}
        importer.remember(ImportedItem.Kind.POST, item.id, review, item=record, data=data)
        if item.sticky:
            report.sticky.append(f"post {item.id} “{review.title}” → {review.get_absolute_url()}")
        if item.status == "private":
            report.notes.append(f"post {item.id} “{review.title}” was private in WordPress: imported as a draft")
        self.links(item, review)
        report.count("posts", outcome)
        return review

    # --- Its film ---

    def choose_film(self, item: wxr.Item, review: Review) -> None:
        """Set the review's film and its "film to check" flag, and note the choice for the report and the
        mapping file. An editor's mapping (--films) decides; else a film chosen by a person or an earlier run
        is kept (a second run changes nothing); else the post is guessed (films.guess_film)."""
        importer = self.importer
        mapped = importer.film_map.get(item.id)
        if mapped is not None:
            title, year = mapped
            guess = Guess(title, year, NAMED, "your mapping file")
            review.film, review.film_to_check = self.film_named(item, guess, create=True), False
        elif review.pk and (review.film_id or not review.film_to_check) and not self.is_placeholder(review.film_id):
            film = review.film
            guess = Guess(film.title if film else "", film.release_year if film else None, NAMED, "kept from before")
            guess.film = film
        else:
            guess = self.named_by_export(item) or guess_film(item, self.catalogue, importer.terms)
            review.film = self.film_named(item, guess, create=importer.create_films or guess.sure)
            review.film_to_check = not guess.sure
        importer.note_film(item, review, guess)

    def named_by_export(self, item: wxr.Item) -> Guess | None:
        if FILM_TITLE_META not in item.meta:
            return None
        title, year = item.meta.get(FILM_TITLE_META), item.meta.get(FILM_YEAR_META)
        title = title.strip() if isinstance(title, str) else ""
        year = wxr.as_int(year if isinstance(year, str) else "") or None
        return Guess(title, year, NAMED, "named by this site's export" if title else "no film, as its export says")

    def film_named(self, item: wxr.Item, guess: Guess, *, create: bool) -> Film | None:
        """The guessed film: from the catalogue, or made (when allowed) with what the guess knows."""
        if guess.film is not None or not guess.title:
            return guess.film
        if film := self.catalogue.find(guess.title, guess.year, exact=guess.confidence == NAMED):
            guess.film = film
            return film
        if not create:
            return None
        film = Film.objects.create(title=guess.title[:200], release_year=guess.year)
        self.catalogue.add(film)
        self.importer.remember(ImportedItem.Kind.FILM, f"post:{item.id}", film)
        self.importer.report.count("films", "imported")
        guess.film = film
        return film

    @cached_property
    def catalogue(self) -> Catalogue:
        return Catalogue()

    @cached_property
    def placeholder_id(self) -> int | None:
        record = self.importer.existing(ImportedItem.Kind.FILM, "placeholder")
        return record.object_id if record else None

    def is_placeholder(self, film_id: int | None) -> bool:
        return film_id is not None and film_id == self.placeholder_id

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
        review.hero_caption = Truncator(attachment.caption).chars(300)  # WordPress keeps it as the excerpt

    def scorecard(self, item: wxr.Item, review: Review) -> None:
        """The scorecard the export wrote: its lines in order; one it cannot read is left out, with a note."""
        value = item.meta[SCORECARD_META]
        if not isinstance(value, dict):
            self.importer.report.notes.append(
                f"post {item.id} “{review.title}”: its scorecard could not be read, so the review's was kept"
            )
            return
        wanted, left_out = [], []
        for row in value.values():  # a PHP array keeps its order, and so does the dict read from it
            name = ASPECT_NAMES.get(str(row.get("name", "")).casefold()) if isinstance(row, dict) else None
            try:
                score = Decimal(str(row.get("score", ""))) if name else None
            except InvalidOperation:
                score = None
            if name is None or score not in HALF_STEPS or name in {n for n, _ in wanted}:
                left_out.append(str(row.get("name", "?") if isinstance(row, dict) else row)[:40])
                continue
            wanted.append((name, score))
        if left_out:
            self.importer.report.notes.append(
                f"post {item.id} “{review.title}”: scorecard lines left out ({', '.join(left_out)})"
            )
        if [(a.name, a.score) for a in review.aspects.all()] != wanted:
            review.aspects.all().delete()
            ReviewAspect.objects.bulk_create(
                ReviewAspect(review=review, name=name, score=score, order=order)
                for order, (name, score) in enumerate(wanted)
            )

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
