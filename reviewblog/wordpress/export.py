"""This site as a WordPress export (WXR 1.2), written as it is read (`manage.py export_wordpress`).

Reviews become posts (their stored HTML, with the rating as a last "Rating: N out of 5." paragraph and
the standfirst as the excerpt), hero images and the images their text shows from this site's MEDIA
attachments with their alt text (export_media.py), simple pages pages (export_pages.py), genres
categories, authors authors, and comments keep their threads, status, kind and the Akismet verdict and
history as the Akismet plugin stores them. Anything that came from WordPress gets its WordPress id back
(`ImportedItem`), so importing the file into the old blog updates it; everything else gets an id above
every remembered one. Reviews are read one at a time (`.iterator()`) with a few queries each, and the file is written as
it goes, so memory does not grow with the site.

Private post meta keys (WordPress hides keys starting with "_") carry what a WordPress post has no field
for: `_reviewblog_film_title` and `_reviewblog_film_year` name the review's film, so importing the file
here again finds or makes the right film; `_reviewblog_contains_spoilers` ("1" or "0") and
`_reviewblog_scorecard` (a serialized array of name and score, as WordPress stores an array) keep the
flag and the scorecard. Spoilers stay hidden in WordPress too: the stored HTML keeps their `<details>`.
"""

import re
from collections.abc import Iterator
from email.utils import format_datetime
from xml.sax.saxutils import quoteattr

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.contrib.flatpages.models import FlatPage
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.html import escape as html_escape

from comments.models import Comment, CommentEvent
from reviews.models import Genre, Review, display_name

from ..models import ImportedItem
from .export_media import Images
from .export_pages import pages
from .films import FILM_TITLE_META, FILM_YEAR_META
from .php import serialize
from .posts import SCORECARD_META, SPOILERS_META
from .wxr_writer import cdata, meta, text, wp_date, wp_date_gmt

User = get_user_model()
Kind = ImportedItem.Kind
Event = CommentEvent.Kind

HEADERLINK = re.compile(r'<a [^>]*\bclass="headerlink"[^>]*>[^<]*</a>')  # whatever the attributes' order
ROOT_RELATIVE = re.compile(r'(\b(?:href|src)=")/(?!/)')

APPROVED = {
    Comment.Status.APPROVED: "1",
    Comment.Status.PENDING: "0",
    Comment.Status.SPAM: "spam",
    Comment.Status.TRASH: "trash",
}
# Our history's kinds → the Akismet plugin's events (its akismet_history); the rest has no counterpart there.
HISTORY_EVENTS = {
    Event.CHECK_FAILED: "check-error",
    Event.REPORTED_SPAM: "report-spam",
    Event.REPORTED_HAM: "report-ham",
    Event.APPROVED: "status-approved",
    Event.UNAPPROVED: "status-unapproved",
    Event.MARKED_SPAM: "status-spam",
    Event.TRASHED: "status-trash",
}


class Ids:
    """WordPress ids: the one remembered from an import of `source`, else one above every remembered id."""

    def __init__(self, source: str):
        self.source = source
        self.content_types = {
            model: ContentType.objects.get_for_model(model) for model in (Review, Comment, User, Genre, FlatPage)
        }
        self.base = {  # WordPress numbers posts, pages and attachments in one sequence
            "post": self._max([Kind.POST, Kind.PAGE, Kind.ATTACHMENT]),
            "comment": self._max([Kind.COMMENT]),
            "author": self._max_author(),
            "term": self._max_term(),
        }
        self.next_free = self.base["post"] + (Review.objects.order_by("-pk").values_list("pk", flat=True).first() or 0)

    def _items(self, kinds):
        return ImportedItem.objects.filter(source=self.source, kind__in=kinds)

    def _max(self, kinds) -> int:
        ids = (int(i) for i in self._items(kinds).values_list("source_id", flat=True).iterator() if i.isdigit())
        return max(ids, default=0)

    def _max_author(self) -> int:
        ids = (str(d.get("wordpress_id", "")) for d in self._items([Kind.AUTHOR]).values_list("data", flat=True))
        return max((int(i) for i in ids if i.isdigit()), default=0)

    def _max_term(self) -> int:
        ids = (str(d.get("id", "")) for d in self._items([Kind.CATEGORY, Kind.TAG]).values_list("data", flat=True))
        return max((int(i) for i in ids if i.isdigit()), default=0)

    def remembered(self, kind: str, model, pks) -> dict[int, ImportedItem]:
        """object pk → its ImportedItem, for these objects (a subquery or a list of pks)."""
        items = self._items([kind]).filter(content_type=self.content_types[model], object_id__in=pks)
        return {item.object_id: item for item in items}

    def post(self, review: Review, item: ImportedItem | None) -> int:
        return int(item.source_id) if item and item.source_id.isdigit() else self.base["post"] + review.pk

    def comment(self, comment: Comment, item: ImportedItem | None) -> int:
        return int(item.source_id) if item and item.source_id.isdigit() else self.base["comment"] + comment.pk

    def attachment(self, name: str) -> int:
        item = self._items([Kind.ATTACHMENT]).filter(file=name).first()
        return int(item.source_id) if item and item.source_id.isdigit() else self.fresh()

    def page(self, item: ImportedItem | None) -> int:
        return int(item.source_id) if item and item.source_id.isdigit() else self.fresh()

    def fresh(self) -> int:
        """An id for an attachment or page made here: above every remembered id and every review's."""
        self.next_free += 1
        return self.next_free


class Exporter:
    def __init__(self, *, source: str | None = None, site_url: str | None = None):
        self.site_url = (site_url or settings.SITE_URL).rstrip("/")
        self.source = source if source is not None else default_source()
        self.ids = Ids(self.source)
        self.author_ids: dict[int, int] = {}  # user pk → WordPress author id
        self.genre_slugs: dict[int, str] = {}  # genre pk → category nicename
        self.images = Images(self)

    def url(self, path: str) -> str:
        return path if "://" in path else self.site_url + path

    def write(self, out) -> None:
        for chunk in self.chunks():
            out.write(chunk)

    def chunks(self) -> Iterator[str]:
        yield self.header()
        yield from self.authors()
        yield from self.categories()
        reviews = (
            Review.objects.select_related("film", "author")
            .prefetch_related("film__genres", "aspects")
            .defer("body")
            .order_by("pk")
        )
        for review in reviews.iterator(chunk_size=100):
            yield from self.review(review)
        yield from pages(self)
        yield "</channel>\n</rss>\n"

    def header(self) -> str:
        now = timezone.now()
        return (
            '<?xml version="1.0" encoding="UTF-8" ?>\n'
            "<!-- This is a WordPress eXtended RSS file, written by reviewblog's export_wordpress. -->\n"
            f'<!-- created="{now:%Y-%m-%d %H:%M}" -->\n'
            '<rss version="2.0"\n'
            '\txmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"\n'
            '\txmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
            '\txmlns:wfw="http://wellformedweb.org/CommentAPI/"\n'
            '\txmlns:dc="http://purl.org/dc/elements/1.1/"\n'
            '\txmlns:wp="http://wordpress.org/export/1.2/"\n'
            ">\n<channel>\n"
            f"\t<title>{cdata(settings.SITE_NAME)}</title>\n"
            f"\t<link>{text(self.site_url)}</link>\n"
            f"\t<description>{cdata('')}</description>\n"
            f"\t<pubDate>{format_datetime(now)}</pubDate>\n"
            f"\t<language>{text(settings.LANGUAGE_CODE)}</language>\n"
            "\t<wp:wxr_version>1.2</wp:wxr_version>\n"
            f"\t<wp:base_site_url>{text(self.site_url)}</wp:base_site_url>\n"
            f"\t<wp:base_blog_url>{text(self.site_url)}</wp:base_blog_url>\n\n"
        )

    # --- Authors and categories ---

    def authors(self) -> Iterator[str]:
        repliers = Comment.objects.exclude(user=None).values("user")
        writers = Q(pk__in=Review.objects.values("author")) | Q(pk__in=repliers)
        remembered = self.ids.remembered(Kind.AUTHOR, User, User.objects.filter(writers).values("pk"))
        for user in User.objects.filter(writers).order_by("pk").iterator():
            item = remembered.get(user.pk)
            wordpress_id = str((item.data if item else {}).get("wordpress_id", ""))
            author_id = int(wordpress_id) if wordpress_id.isdigit() else self.ids.base["author"] + user.pk
            self.author_ids[user.pk] = author_id
            yield (
                f"\t<wp:author><wp:author_id>{author_id}</wp:author_id>"
                f"<wp:author_login>{cdata(user.get_username())}</wp:author_login>"
                f"<wp:author_email>{cdata(user.email)}</wp:author_email>"
                f"<wp:author_display_name>{cdata(display_name(user))}</wp:author_display_name>"
                f"<wp:author_first_name>{cdata(user.first_name)}</wp:author_first_name>"
                f"<wp:author_last_name>{cdata(user.last_name)}</wp:author_last_name></wp:author>\n"
            )

    def categories(self) -> Iterator[str]:
        remembered = self.ids.remembered(Kind.CATEGORY, Genre, Genre.objects.values("pk"))
        for genre in Genre.objects.order_by("pk").iterator():
            item = remembered.get(genre.pk)
            term_id = str((item.data if item else {}).get("id", ""))
            term_id = int(term_id) if term_id.isdigit() else self.ids.base["term"] + genre.pk
            slug = item.source_id if item else genre.slug
            self.genre_slugs[genre.pk] = slug
            yield (
                f"\t<wp:category><wp:term_id>{term_id}</wp:term_id>"
                f"<wp:category_nicename>{cdata(slug)}</wp:category_nicename>"
                f"<wp:category_parent>{cdata('')}</wp:category_parent>"
                f"<wp:cat_name>{cdata(genre.name)}</wp:cat_name></wp:category>\n"
            )

    # --- Posts ---

    def review(self, review: Review) -> Iterator[str]:
        post = self.ids.remembered(Kind.POST, Review, [review.pk]).get(review.pk)
        post_id = self.ids.post(review, post)
        thumbnail_id = None
        if review.hero_image:
            thumbnail_id, attachment = self.images.hero(review, post_id)
            yield attachment
        creator = review.author.get_username()
        yield from self.images.shown(review.body_html, post_id, date=review.published_at, creator=creator)
        yield self.post(review, post_id, thumbnail_id)
        yield from self.comments(review)
        yield "\t</item>\n"

    def status(self, review: Review) -> str:
        if review.is_public:
            return "publish"
        return "future" if review.status == Review.Status.PUBLISHED else "draft"

    def html(self, html: str) -> str:
        """Stored HTML as another site shows it: no heading anchors, every address absolute."""
        return ROOT_RELATIVE.sub(lambda m: m.group(1) + self.site_url + "/", HEADERLINK.sub("", html))

    def content(self, review: Review) -> str:
        html = self.html(review.body_html)
        if review.rating is not None:
            html += f"\n<p>{review.rating_text}</p>"
        return html

    def post(self, review: Review, post_id: int, thumbnail_id: int | None) -> str:
        film = review.film
        link = self.url(review.get_absolute_url())
        parts = [
            "\t<item>\n",
            f"\t\t<title>{cdata(review.title)}</title>\n",
            f"\t\t<link>{text(link)}</link>\n",
            f"\t\t<pubDate>{format_datetime(review.published_at)}</pubDate>\n",
            f"\t\t<dc:creator>{cdata(review.author.get_username())}</dc:creator>\n",
            f'\t\t<guid isPermaLink="false">{text(self.site_url)}/?p={post_id}</guid>\n',
            "\t\t<description></description>\n",
            f"\t\t<content:encoded>{cdata(self.content(review))}</content:encoded>\n",
            f"\t\t<excerpt:encoded>{cdata(review.standfirst)}</excerpt:encoded>\n",
            f"\t\t<wp:post_id>{post_id}</wp:post_id>\n",
            f"\t\t<wp:post_date>{cdata(wp_date(review.published_at))}</wp:post_date>\n",
            f"\t\t<wp:post_date_gmt>{cdata(wp_date_gmt(review.published_at))}</wp:post_date_gmt>\n",
            f"\t\t<wp:post_modified>{cdata(wp_date(review.updated_at))}</wp:post_modified>\n",
            f"\t\t<wp:post_modified_gmt>{cdata(wp_date_gmt(review.updated_at))}</wp:post_modified_gmt>\n",
            f"\t\t<wp:comment_status>{cdata('open' if review.comments_open else 'closed')}</wp:comment_status>\n",
            f"\t\t<wp:ping_status>{cdata('closed')}</wp:ping_status>\n",
            f"\t\t<wp:post_name>{cdata(review.slug)}</wp:post_name>\n",
            f"\t\t<wp:status>{cdata(self.status(review))}</wp:status>\n",
            "\t\t<wp:post_parent>0</wp:post_parent>\n",
            "\t\t<wp:menu_order>0</wp:menu_order>\n",
            f"\t\t<wp:post_type>{cdata('post')}</wp:post_type>\n",
            f"\t\t<wp:post_password>{cdata('')}</wp:post_password>\n",
            "\t\t<wp:is_sticky>0</wp:is_sticky>\n",
        ]
        for genre in film.genres.all() if film else ():
            slug = self.genre_slugs.get(genre.pk, genre.slug)
            parts.append(f'\t\t<category domain="category" nicename={quoteattr(slug)}>{cdata(genre.name)}</category>\n')
        if thumbnail_id:
            parts.append(meta("postmeta", "_thumbnail_id", str(thumbnail_id)))
        # Empty for a piece about no film: the import reads that as "no film", not as "guess one".
        parts.append(meta("postmeta", FILM_TITLE_META, film.title if film else ""))
        parts.append(meta("postmeta", FILM_YEAR_META, str(film.release_year or "") if film else ""))
        parts.append(meta("postmeta", SPOILERS_META, "1" if review.contains_spoilers else "0"))
        scorecard = [{"name": a.name, "score": f"{a.score.normalize():f}"} for a in review.aspects.all()]
        parts.append(meta("postmeta", SCORECARD_META, serialize(scorecard)))
        return "".join(parts)

    # --- Comments ---

    def comments(self, review: Review) -> Iterator[str]:
        comments = list(Comment.objects.filter(review=review).order_by("pk"))
        if not comments:
            return
        of_review = Comment.objects.filter(review=review).values("pk")
        remembered = self.ids.remembered(Kind.COMMENT, Comment, of_review)
        ids = {c.pk: self.ids.comment(c, remembered.get(c.pk)) for c in comments}
        history: dict[int, list] = {}
        events = CommentEvent.objects.filter(comment__review=review, kind__in=[*HISTORY_EVENTS, Event.CHECKED])
        for event in events.select_related("actor").order_by("created_at", "pk").iterator():
            history.setdefault(event.comment_id, []).append(event)
        for comment in comments:
            yield self.comment(comment, ids, history.get(comment.pk, []))

    def comment(self, comment: Comment, ids: dict[int, int], history: list) -> str:
        kind = comment.kind if comment.kind != Comment.Kind.COMMENT else "comment"
        parts = [
            "\t\t<wp:comment>\n",
            f"\t\t\t<wp:comment_id>{ids[comment.pk]}</wp:comment_id>\n",
            f"\t\t\t<wp:comment_author>{cdata(comment.author_name)}</wp:comment_author>\n",
            f"\t\t\t<wp:comment_author_email>{cdata(comment.author_email)}</wp:comment_author_email>\n",
            f"\t\t\t<wp:comment_author_url>{text(comment.author_url)}</wp:comment_author_url>\n",
            f"\t\t\t<wp:comment_author_IP>{cdata(comment.ip_address or '')}</wp:comment_author_IP>\n",
            f"\t\t\t<wp:comment_date>{cdata(wp_date(comment.created_at))}</wp:comment_date>\n",
            f"\t\t\t<wp:comment_date_gmt>{cdata(wp_date_gmt(comment.created_at))}</wp:comment_date_gmt>\n",
            # Plain text here; escaped, so WordPress shows a typed "<b>" as typed.
            f"\t\t\t<wp:comment_content>{cdata(html_escape(comment.body))}</wp:comment_content>\n",
            f"\t\t\t<wp:comment_approved>{cdata(APPROVED[comment.status])}</wp:comment_approved>\n",
            f"\t\t\t<wp:comment_type>{cdata(kind)}</wp:comment_type>\n",
            f"\t\t\t<wp:comment_parent>{ids.get(comment.parent_id, 0)}</wp:comment_parent>\n",
            f"\t\t\t<wp:comment_user_id>{self.author_ids.get(comment.user_id, 0)}</wp:comment_user_id>\n",
            f"\t\t\t<wp:comment_agent>{cdata(comment.user_agent)}</wp:comment_agent>\n",
        ]
        parts += self.akismet(comment, history)
        parts.append("\t\t</wp:comment>\n")
        return "".join(parts)

    def akismet(self, comment: Comment, history: list) -> list[str]:
        """The Akismet plugin's comment meta: its last verdict, what it was sent, and one row per event."""
        rows = []
        if comment.verdict in (Comment.Verdict.SPAM, Comment.Verdict.DISCARD):
            rows.append(meta("commentmeta", "akismet_result", "true"))
        elif comment.verdict == Comment.Verdict.HAM:
            rows.append(meta("commentmeta", "akismet_result", "false"))
        elif comment.verdict == Comment.Verdict.ERROR:
            rows.append(meta("commentmeta", "akismet_error", str(int(comment.created_at.timestamp()))))
        if comment.user_agent or comment.referrer:
            submitted = {"user_agent": comment.user_agent, "referrer": comment.referrer}
            rows.append(meta("commentmeta", "akismet_as_submitted", serialize(submitted)))
        for event in history:
            if event.kind == Event.CHECKED:
                said_spam = "spam" in event.note.lower() and "not spam" not in event.note.lower()
                name = "check-spam" if said_spam else "check-ham"
            else:
                name = HISTORY_EVENTS[event.kind]
            entry = {
                "time": round(event.created_at.timestamp(), 6),
                "message": event.note or event.get_kind_display(),
                "event": name,
                "user": event.actor.get_username() if event.actor else "",
            }
            rows.append(meta("commentmeta", "akismet_history", serialize(entry)))
        return rows


def default_source() -> str:
    """The WordPress blog most of the site came from (whose ids the export gives back), or "" for none."""
    top = (
        ImportedItem.objects.filter(source__startswith="wordpress:", kind=Kind.POST)
        .values("source")
        .annotate(n=Count("pk"))
        .order_by("-n", "source")
        .first()
    )
    return top["source"] if top else ""
