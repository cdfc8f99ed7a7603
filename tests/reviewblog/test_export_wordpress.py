"""manage.py export_wordpress: a valid WXR 1.2 file, written as it goes, and a round trip through import_wordpress."""

import re
import shutil
from datetime import timedelta
from decimal import Decimal
from io import StringIO
from xml.etree import ElementTree

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.flatpages.models import FlatPage
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone
from django.utils.html import strip_tags

from comments.models import Comment, CommentEvent
from reviewblog.models import ImportedItem
from reviewblog.wordpress.php import serialize, unserialize
from reviewblog.wordpress.wxr_writer import cdata
from reviews.models import Review
from tests.factories import (
    CommentFactory,
    FilmFactory,
    GenreFactory,
    ReviewAspectFactory,
    ReviewFactory,
    UserFactory,
    image_file,
)

from .conftest import FIXTURES

pytestmark = pytest.mark.django_db

NS = {
    "wp": "http://wordpress.org/export/1.2/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "excerpt": "http://wordpress.org/export/1.2/excerpt/",
    "dc": "http://purl.org/dc/elements/1.1/",
}
BODY = """A spin-off that chooses *grief* over swagger. Read the [Atomic Blonde piece](https://films.example/atomic/).

## What works

- The theatre fight
- A lead who makes silence **count**

![A dancer raises a shotgun against an orange glow](/media/uploads/dancer.jpg)

> Discipline is a wound that never closes.

## What does not

1. The lore
2. The second act

Code-ish text with a CDATA end marker: a]]>b stays intact."""


def export(**options) -> str:
    out = StringIO()
    call_command("export_wordpress", stdout=out, **options)
    return out.getvalue()


def parse(xml: str) -> ElementTree.Element:
    return ElementTree.fromstring(xml.encode())


def items(root, post_type):
    return [i for i in root.iter("item") if i.findtext("wp:post_type", namespaces=NS) == post_type]


def meta(element, tag="postmeta") -> dict:
    rows = element.findall(f"wp:{tag}", NS)
    return {row.findtext("wp:meta_key", namespaces=NS): row.findtext("wp:meta_value", namespaces=NS) for row in rows}


@pytest.fixture
def site(db):
    """Reviews (published, draft, scheduled; half ratings), images in the text (one shown by two reviews, one
    from elsewhere), a hero image with alt text, threaded comments in every status with Akismet verdicts and
    history, a pingback and an author's reply; simple pages: a parent, its child and one needing a login."""
    ava = UserFactory(username="ava", first_name="Ava", last_name="Lindqvist", group="Authors")
    theo = UserFactory(username="theo", group="Authors")
    default_storage.save("uploads/dancer.jpg", image_file("dancer.jpg"))
    default_storage.save("uploads/stairwell.png", image_file("stairwell.png", fmt="PNG"))
    action, noir = GenreFactory(name="Action"), GenreFactory(name="Neo-noir")
    ballerina = FilmFactory(title="Ballerina", release_year=2025)
    ballerina.genres.add(action, noir)
    atomic = FilmFactory(title="Atomic Blonde", release_year=2017)
    atomic.genres.add(action)
    now = timezone.now().replace(microsecond=0)
    main = ReviewFactory(
        title="Grief with a gun: Ballerina",
        slug="ballerina-grief",
        film=ballerina,
        author=ava,
        standfirst="Grief, not swagger, drives this spin-off.",
        body=BODY,
        rating=Decimal("3.5"),
        published_at=now - timedelta(days=30),
        hero_image=image_file("poster.jpg", size=(200, 120)),
        hero_alt="A dancer in a dark coat against neon",
        hero_caption="The poster, all smoke and neon",
    )
    ReviewFactory(
        title="Atomic Blonde, eight years on",
        slug="atomic-blonde-again",
        film=atomic,
        author=theo,
        standfirst="Still the best stairwell.",
        body="Berlin, 1989.\n\n### The stairwell\n\nOne take, *eleven* minutes.\n\n"
        "![Lorraine on the stairs, in one take](/media/uploads/stairwell.png)\n\n"
        "![The same dancer, again](/media/uploads/dancer.jpg)\n\n"
        "![A still hosted elsewhere](https://elsewhere.example/still.jpg)",
        rating=Decimal("4.5"),
        status=Review.Status.DRAFT,
        published_at=now - timedelta(days=2),
        comments_open=False,
    )
    ReviewFactory(
        title="Ballerina, the sequel we want",
        slug="ballerina-next",
        film=ballerina,
        author=ava,
        standfirst="Coming soon.",
        body="Not yet.",
        rating=None,
        published_at=now + timedelta(days=7),
    )
    ReviewFactory(  # an article: about no single film, whatever its title says
        title="Heat (1995) and four other heist films, ranked",
        slug="heists-ranked",
        film=None,
        author=theo,
        standfirst="Five ways to rob a bank on film.",
        body="A list.",
        rating=None,
        published_at=now - timedelta(days=3),
    )
    ReviewFactory(
        title="Strange and lovely",
        slug="poor-things",
        film=FilmFactory(title="Poor Things", release_year=None),  # its year not known yet
        author=ava,
        standfirst="A city of glass.",
        body="Odd.",
        rating=Decimal("4"),
        published_at=now - timedelta(days=4),
    )
    at = now - timedelta(days=20)
    first = CommentFactory(
        review=main,
        author_name="Nadia",
        body="The theatre fight!\n\nWow.",
        created_at=at,
        verdict=Comment.Verdict.HAM,
        author_url="https://nadia.example/",
    )
    reply = CommentFactory(
        review=main,
        parent=first,
        author_name="Ava",
        user=ava,
        body="Thank you, Nadia.",
        created_at=at + timedelta(hours=1),
        verdict=Comment.Verdict.HAM,
    )
    CommentFactory(
        review=main,
        parent=reply,
        author_name="Nadia",
        body="A reply to the reply <b>bold</b>",
        status=Comment.Status.PENDING,
        created_at=at + timedelta(hours=2),
    )
    spam = CommentFactory(
        review=main,
        author_name="Cheap pills",
        body="Buy now https://spam.example/",
        status=Comment.Status.SPAM,
        verdict=Comment.Verdict.SPAM,
        created_at=at + timedelta(hours=3),
    )
    CommentFactory(
        review=main,
        author_name="Troll",
        body="Rubbish film.",
        status=Comment.Status.TRASH,
        verdict=Comment.Verdict.HAM,
        created_at=at + timedelta(hours=4),
        reported_as="spam",
    )
    CommentFactory(
        review=main,
        author_name="Waiting",
        body="Akismet was down.",
        status=Comment.Status.PENDING,
        verdict=Comment.Verdict.ERROR,
        created_at=at + timedelta(hours=5),
        ip_address="2001:db8::1",
    )
    CommentFactory(
        review=main,
        author_name="Film Blog",
        body="[…] a fine review of Ballerina […]",
        kind=Comment.Kind.PINGBACK,
        author_url="https://blog.example/post/",
        ip_address=None,
        user_agent="",
        referrer="",
        created_at=at + timedelta(hours=6),
    )
    CommentEvent.objects.create(comment=spam, kind=CommentEvent.Kind.CHECKED, note="Spam", created_at=at)
    CommentEvent.objects.create(comment=first, kind=CommentEvent.Kind.CHECKED, note="Not spam", created_at=at)
    CommentEvent.objects.create(comment=first, kind=CommentEvent.Kind.APPROVED, actor=ava, created_at=at)
    for url, title, content, hidden in [
        ("/about/", "About us", "<p>Who writes here, and why.</p>", False),
        ("/about/team/", "The team & friends", "<p>Two of us.</p>", False),
        ("/review-policy/", "Review policy", "<p>Not yet written.</p>", True),
    ]:
        page = FlatPage.objects.create(url=url, title=title, content=content, registration_required=hidden)
        page.sites.add(django_settings.SITE_ID)
    return main


def test_the_export_is_wxr_1_2_with_site_authors_and_categories(site, settings):
    settings.SITE_URL = "https://films.example"
    root = parse(export())
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel.findtext("wp:wxr_version", namespaces=NS) == "1.2"
    assert channel.findtext("wp:base_site_url", namespaces=NS) == "https://films.example"
    assert channel.findtext("wp:base_blog_url", namespaces=NS) == "https://films.example"
    logins = {a.findtext("wp:author_login", namespaces=NS) for a in channel.findall("wp:author", NS)}
    assert logins == {"ava", "theo"}
    names = {c.findtext("wp:cat_name", namespaces=NS): c for c in channel.findall("wp:category", NS)}
    assert names["Neo-noir"].findtext("wp:category_nicename", namespaces=NS) == "neo-noir"


def test_reviews_are_posts_with_html_the_rating_and_their_status(site, settings):
    settings.SITE_URL = "https://films.example"
    posts = {p.findtext("wp:post_name", namespaces=NS): p for p in items(parse(export()), "post")}
    main = posts["ballerina-grief"]
    html = main.findtext("content:encoded", namespaces=NS)
    assert '<h2 id="what-works">What works</h2>' in html  # no "#" anchor links
    (image,) = re.findall("<img[^>]*>", html)
    assert 'alt="A dancer raises a shotgun against an orange glow"' in image
    assert 'src="https://films.example/media/uploads/dancer.jpg"' in image
    assert "a]]&gt;b stays intact" in html
    assert html.rstrip().endswith("<p>Rating: 3.5 out of 5.</p>")
    assert main.findtext("excerpt:encoded", namespaces=NS) == "Grief, not swagger, drives this spin-off."
    assert main.findtext("dc:creator", namespaces=NS) == "ava"
    assert main.findtext("link") == "https://films.example/reviews/ballerina-grief/"
    review = site
    assert main.findtext("wp:post_date_gmt", namespaces=NS) == f"{review.published_at:%Y-%m-%d %H:%M:%S}"
    assert (
        main.findtext("wp:post_date", namespaces=NS) == f"{timezone.localtime(review.published_at):%Y-%m-%d %H:%M:%S}"
    )
    assert {(c.get("domain"), c.get("nicename"), c.text) for c in main.findall("category")} == {
        ("category", "action", "Action"),
        ("category", "neo-noir", "Neo-noir"),
    }
    statuses = {slug: p.findtext("wp:status", namespaces=NS) for slug, p in posts.items()}
    assert statuses == {
        "ballerina-grief": "publish",
        "atomic-blonde-again": "draft",
        "ballerina-next": "future",
        "heists-ranked": "publish",
        "poor-things": "publish",
    }
    # An article names no film (so its import guesses none); a film of unknown year names no year.
    article, unknown_year = meta(posts["heists-ranked"]), meta(posts["poor-things"])
    assert (article["_reviewblog_film_title"], article["_reviewblog_film_year"]) == ("", "")
    assert (unknown_year["_reviewblog_film_title"], unknown_year["_reviewblog_film_year"]) == ("Poor Things", "")
    assert "Rating:" not in posts["ballerina-next"].findtext("content:encoded", namespaces=NS)
    assert posts["atomic-blonde-again"].findtext("wp:comment_status", namespaces=NS) == "closed"


def test_the_hero_image_is_an_attachment_with_its_alt_text(site, settings):
    settings.SITE_URL = "https://films.example"
    root = parse(export())
    (attachment,) = [a for a in items(root, "attachment") if meta(a)["_wp_attached_file"] == site.hero_image.name]
    post = next(p for p in items(root, "post") if p.findtext("wp:post_name", namespaces=NS) == "ballerina-grief")
    attachment_id = attachment.findtext("wp:post_id", namespaces=NS)
    assert meta(post)["_thumbnail_id"] == attachment_id
    assert attachment.findtext("wp:post_parent", namespaces=NS) == post.findtext("wp:post_id", namespaces=NS)
    assert attachment.findtext("wp:attachment_url", namespaces=NS) == f"https://films.example{site.hero_image.url}"
    assert meta(attachment)["_wp_attachment_image_alt"] == "A dancer in a dark coat against neon"
    assert meta(attachment)["_wp_attached_file"] == site.hero_image.name
    assert attachment.findtext("excerpt:encoded", namespaces=NS) == "The poster, all smoke and neon"


def test_images_in_the_text_are_attachments_once_per_file(site, settings):
    settings.SITE_URL = "https://films.example"
    root = parse(export())
    posts = {
        p.findtext("wp:post_name", namespaces=NS): p.findtext("wp:post_id", namespaces=NS) for p in items(root, "post")
    }
    shown = {meta(a)["_wp_attached_file"]: a for a in items(root, "attachment")}
    assert sorted(shown) == sorted(
        [site.hero_image.name, "uploads/dancer.jpg", "uploads/stairwell.png"]
    )  # not elsewhere's
    dancer, stairwell = shown["uploads/dancer.jpg"], shown["uploads/stairwell.png"]
    # Shown by two reviews, written once, under the first.
    assert dancer.findtext("wp:post_parent", namespaces=NS) == posts["ballerina-grief"]
    assert dancer.findtext("wp:attachment_url", namespaces=NS) == "https://films.example/media/uploads/dancer.jpg"
    assert meta(dancer)["_wp_attachment_image_alt"] == "A dancer raises a shotgun against an orange glow"
    assert stairwell.findtext("wp:post_parent", namespaces=NS) == posts["atomic-blonde-again"]
    assert meta(stairwell)["_wp_attachment_image_alt"] == "Lorraine on the stairs, in one take"
    ids = [i.findtext("wp:post_id", namespaces=NS) for i in root.iter("item")]
    assert len(ids) == len(set(ids))  # posts, pages and attachments share one sequence of ids


def test_simple_pages_are_wordpress_pages_in_their_hierarchy(site, settings):
    settings.SITE_URL = "https://films.example"
    pages = {p.findtext("wp:post_name", namespaces=NS): p for p in items(parse(export()), "page")}
    assert sorted(pages) == ["about", "review-policy", "team"]
    about, team = pages["about"], pages["team"]
    assert about.findtext("title") == "About us" and team.findtext("title") == "The team & friends"
    assert about.findtext("content:encoded", namespaces=NS) == "<p>Who writes here, and why.</p>"
    assert about.findtext("link") == "https://films.example/pages/about/"
    assert about.findtext("wp:post_parent", namespaces=NS) == "0"
    assert team.findtext("wp:post_parent", namespaces=NS) == about.findtext("wp:post_id", namespaces=NS)
    statuses = {slug: p.findtext("wp:status", namespaces=NS) for slug, p in pages.items()}
    assert statuses == {"about": "publish", "team": "publish", "review-policy": "private"}


def test_comments_keep_ids_threads_status_kind_and_akismet_meta(site):
    post = next(
        p for p in items(parse(export()), "post") if p.findtext("wp:post_name", namespaces=NS) == "ballerina-grief"
    )
    comments = {
        c.findtext("wp:comment_author", namespaces=NS) + c.findtext("wp:comment_content", namespaces=NS)[:5]: c
        for c in post.findall("wp:comment", NS)
    }
    field = {
        key: {
            name: c.findtext(f"wp:comment_{name}", namespaces=NS)
            for name in ("id", "parent", "approved", "type", "author_email", "author_url", "author_IP", "user_id")
        }
        for key, c in comments.items()
    }
    first, reply, deep = field["NadiaThe t"], field["AvaThank"], field["NadiaA rep"]
    assert first["parent"] == "0" and reply["parent"] == first["id"] and deep["parent"] == reply["id"]
    assert [
        first["approved"],
        deep["approved"],
        field["Cheap pillsBuy n"]["approved"],
        field["TrollRubbi"]["approved"],
    ] == [
        "1",
        "0",
        "spam",
        "trash",
    ]
    assert field["Film Blog[…] a"]["type"] == "pingback" and first["type"] == "comment"
    assert first["author_url"] == "https://nadia.example/" and field["WaitingAkism"]["author_IP"] == "2001:db8::1"
    assert reply["user_id"] != "0" and first["user_id"] == "0"
    assert (
        comments["NadiaA rep"].findtext("wp:comment_content", namespaces=NS)
        == "A reply to the reply &lt;b&gt;bold&lt;/b&gt;"
    )
    assert meta(comments["Cheap pillsBuy n"], "commentmeta")["akismet_result"] == "true"
    assert meta(comments["NadiaThe t"], "commentmeta")["akismet_result"] == "false"
    assert "akismet_error" in meta(comments["WaitingAkism"], "commentmeta")
    history = [
        unserialize(row.findtext("wp:meta_value", namespaces=NS))
        for row in comments["NadiaThe t"].findall("wp:commentmeta", NS)
        if row.findtext("wp:meta_key", namespaces=NS) == "akismet_history"
    ]
    assert [(h["event"], h["user"]) for h in history] == [("check-ham", ""), ("status-approved", "ava")]


def test_a_review_from_wordpress_keeps_its_wordpress_ids(films, uploads):
    call_command("import_wordpress", str(FIXTURES / "blog.xml"), "--media", str(uploads), stdout=StringIO())
    root = parse(export())
    post = next(p for p in items(root, "post") if p.findtext("wp:post_name", namespaces=NS) == "ballerina-2025")
    assert post.findtext("wp:post_id", namespaces=NS) == "10"
    assert meta(post)["_thumbnail_id"] == "11"
    comment_ids = {c.findtext("wp:comment_id", namespaces=NS) for c in post.findall("wp:comment", NS)}
    remembered = set(ImportedItem.objects.filter(kind="comment").values_list("source_id", flat=True))
    assert comment_ids and comment_ids <= remembered
    authors = {
        a.findtext("wp:author_login", namespaces=NS): a.findtext("wp:author_id", namespaces=NS)
        for a in root.iter("{http://wordpress.org/export/1.2/}author")
    }
    assert authors["ava"] == "1"
    # A review written here gets an id above every remembered one.
    fresh = ReviewFactory(slug="fresh-one")
    post_ids = [int(p.findtext("wp:post_id", namespaces=NS)) for p in items(parse(export()), "post")]
    numbered = ImportedItem.objects.filter(kind__in=["post", "page", "attachment"])  # one sequence in WordPress
    highest_remembered = max(int(i) for i in numbered.values_list("source_id", flat=True) if i.isdigit())
    assert max(post_ids) == highest_remembered + fresh.pk


def test_cdata_splits_its_end_marker_and_drops_characters_xml_forbids():
    assert cdata("a]]>b\x00c") == "<![CDATA[a]]]]><![CDATA[>bc]]>"
    assert ElementTree.fromstring(f"<x>{cdata('a]]>b]]>')}</x>").text == "a]]>b]]>"


def test_php_serialize_is_what_unserialize_reads():
    value = {"time": 1560000000.5, "event": "check-ham", "message": "Akismet ✓", "user": "", "n": 3}
    assert unserialize(serialize(value)) == value


def test_it_streams_reviews_with_a_fixed_number_of_queries_each(site, django_assert_max_num_queries):
    ReviewFactory.create_batch(300)
    out = StringIO()
    # About five queries per review (its memory, hero image id, comments and their memory, history): never more.
    with django_assert_max_num_queries(305 * 6 + 20):
        call_command("export_wordpress", stdout=out)
    assert len(items(parse(out.getvalue()), "post")) == 305


# --- The round trip: export, empty the site, import the file, compare field by field ---


def snapshot() -> dict:
    def text(html):
        return " ".join(strip_tags(re.sub(r'<a class="headerlink"[^>]*>#</a>', "", html)).split())

    reviews = {
        r.slug: {
            "title": r.title,
            "status": r.status,
            "published_at": r.published_at,
            "rating": r.rating,
            "standfirst": r.standfirst,
            "text": text(r.body_html),
            "headings": re.findall(r"<h(\d)", r.body_html),
            "lists": len(re.findall(r"<li>", r.body_html)),
            "images": re.findall(r'<img alt="([^"]*)"', r.body_html),
            "links": len(re.findall(r"<a href=", r.body_html)),
            "film": (r.film.title, r.film.release_year) if r.film else None,
            "film_to_check": r.film_to_check,
            "genres": sorted(r.film.genres.values_list("name", flat=True)) if r.film else [],
            "author": r.author.username,
            "comments_open": r.comments_open,
            "hero_alt": r.hero_alt,
            "has_hero": bool(r.hero_image),
        }
        for r in Review.objects.select_related("film", "author")
    }

    def key(c):
        return (c.review.slug, c.author_name, c.body)

    comments = {
        key(c): {
            "parent": key(c.parent) if c.parent else None,
            "depth": c.depth,
            "status": c.status,
            "kind": c.kind,
            "verdict": c.verdict,
            "email": c.author_email,
            "url": c.author_url,
            "ip": c.ip_address,
            "created_at": c.created_at,
            "user": c.user.username if c.user else None,
            "user_agent": c.user_agent,
            "referrer": c.referrer,
        }
        for c in Comment.objects.select_related("review", "parent__review", "user")
    }
    pages = {
        p.url: {"title": p.title, "needs_login": p.registration_required, "text": text(p.content)}
        for p in FlatPage.objects.all()
    }
    return {"reviews": reviews, "comments": comments, "pages": pages}


# Outside a test transaction: flush truncates tables, which PostgreSQL refuses inside one that wrote to them.
@pytest.mark.django_db(transaction=True)
def test_round_trip_export_then_import_into_an_empty_site(site, media_root, tmp_path, settings):
    settings.SITE_URL = "https://films.example"
    before = snapshot()
    export_file = tmp_path / "export.xml"
    call_command("export_wordpress", output=str(export_file))
    uploads = tmp_path / "uploads"
    shutil.copytree(media_root, uploads)  # the site's media folder, as its owner would download it

    call_command("flush", interactive=False, verbosity=0)
    assert not Review.objects.exists() and not get_user_model().objects.exists()
    report = StringIO()
    call_command("import_wordpress", str(export_file), "--media", str(uploads), "--create-films", stdout=report)

    after = snapshot()
    assert sorted(after["reviews"]) == sorted(before["reviews"])
    for slug, fields in before["reviews"].items():
        for name, value in fields.items():
            assert after["reviews"][slug][name] == value, (slug, name, report.getvalue())
    assert sorted(after["comments"]) == sorted(before["comments"])
    for key, fields in before["comments"].items():
        for name, value in fields.items():
            assert after["comments"][key][name] == value, (key, name)
    assert after["pages"] == before["pages"]
    # The hero image came back as a stored file, and each image in the text points at its own new copy
    # (one file, however many reviews show it), its alt text kept.
    main, atomic = Review.objects.get(slug="ballerina-grief"), Review.objects.get(slug="atomic-blonde-again")
    assert default_storage.exists(main.hero_image.name)
    dancer = ImportedItem.objects.get(kind="attachment", file__startswith="wordpress/uploads/dancer").file
    stairwell = ImportedItem.objects.get(kind="attachment", file__startswith="wordpress/uploads/stairwell").file
    assert default_storage.exists(dancer) and default_storage.exists(stairwell)
    assert f"![A dancer raises a shotgun against an orange glow](/media/{dancer})" in main.body
    assert f"![Lorraine on the stairs, in one take](/media/{stairwell})" in atomic.body
    assert f"![The same dancer, again](/media/{dancer})" in atomic.body
    assert "![A still hosted elsewhere](https://elsewhere.example/still.jpg)" in atomic.body
    assert FlatPage.objects.get(url="/about/team/").get_absolute_url() == "/pages/about/team/"
    assert "## What works" in main.body and "- The theatre fight" in main.body and "1. The lore" in main.body


# Outside a test transaction: flush truncates tables, which PostgreSQL refuses inside one that wrote to them.
@pytest.mark.django_db(transaction=True)
def test_round_trip_twice_changes_nothing(site, tmp_path, media_root):
    first = tmp_path / "one.xml"
    call_command("export_wordpress", output=str(first))
    shutil.copytree(media_root, tmp_path / "uploads")
    call_command("flush", interactive=False, verbosity=0)
    call_command(
        "import_wordpress", str(first), "--media", str(tmp_path / "uploads"), "--create-films", stdout=StringIO()
    )
    before = snapshot()
    second = tmp_path / "two.xml"
    call_command("export_wordpress", output=str(second))
    # Importing the site's own export again updates what is there: nothing is duplicated or changed.
    call_command("import_wordpress", str(second), "--create-films", stdout=StringIO())
    assert snapshot() == before
    assert Comment.objects.count() == len(before["comments"])


SPOILER_BODY = """The first act is patient.

||The ballerina was never the target.

Her father chose this long before she did.||

The last shot, ||a match struck in the snow||, stays with you."""


# Outside a test transaction: flush truncates tables, which PostgreSQL refuses inside one that wrote to them.
@pytest.mark.django_db(transaction=True)
def test_round_trip_keeps_spoilers_hidden_the_hero_caption_and_the_scorecard(media_root, tmp_path, client):
    review = ReviewFactory(
        slug="ballerina-spoilers",
        film=FilmFactory(title="Ballerina", release_year=2025),
        body=SPOILER_BODY,
        rating=Decimal("4"),
        contains_spoilers=True,
        hero_image=image_file("poster.jpg", size=(200, 120)),
        hero_alt="A dancer in a dark coat against neon",
        hero_caption="The poster, all smoke and neon",
    )
    for order, (name, score) in enumerate([("Direction", "4.5"), ("Acting", "5"), ("Action", "3")]):
        ReviewAspectFactory(review=review, name=name, score=Decimal(score), order=order)

    def fields(review):
        aspects = [(a.name, a.score, a.order) for a in review.aspects.all()]
        return (review.body, review.contains_spoilers, review.hero_alt, review.hero_caption, aspects)

    before = fields(review)
    export_file = tmp_path / "export.xml"
    call_command("export_wordpress", output=str(export_file))
    # In WordPress too the passages stay folded away: the post's HTML keeps them in <details>.
    (post,) = items(parse(export_file.read_text()), "post")
    assert html_details(post.findtext("content:encoded", namespaces=NS)) == [
        "The ballerina was never the target. Her father chose this long before she did.",
        "a match struck in the snow",
    ]
    shutil.copytree(media_root, tmp_path / "uploads")
    call_command("flush", interactive=False, verbosity=0)
    call_command("import_wordpress", str(export_file), "--media", str(tmp_path / "uploads"), stdout=StringIO())

    review = Review.objects.get(slug="ballerina-spoilers")
    assert fields(review) == before
    page = client.get(review.get_absolute_url()).content.decode()
    assert "This review contains spoilers" in page
    assert '<details class="spoiler">' in page and '<details class="spoiler-inline">' in page
    assert "a match struck in the snow" not in strip_tags(re.sub(r"<details.*?</details>", "", page, flags=re.S))
    assert "The poster, all smoke and neon" in page
    assert "Scores out of 5 by aspect" in page


def html_details(html: str) -> list[str]:
    """The text each <details> hides (its summary left out), in order."""
    hidden = re.findall(r"<details[^>]*>\s*<summary>[^<]*</summary>(.*?)</details>", html, flags=re.S)
    return [" ".join(strip_tags(text).split()) for text in hidden]


def test_an_import_from_wordpress_without_our_meta_leaves_spoilers_and_scorecard_alone(films, uploads):
    call_command("import_wordpress", str(FIXTURES / "blog.xml"), "--media", str(uploads), stdout=StringIO())
    review = ImportedItem.objects.get(kind="post", source_id="10").target
    assert review.contains_spoilers is False and not review.aspects.exists()


def test_importing_the_sites_own_export_into_itself_duplicates_nothing_and_its_dry_run_says_so(site, tmp_path):
    export_file = tmp_path / "export.xml"
    call_command("export_wordpress", output=str(export_file))
    counts = (Review.objects.count(), Comment.objects.count(), FlatPage.objects.count())

    def run(*options) -> list[str]:
        out = StringIO()
        call_command("import_wordpress", str(export_file), *options, "--films-out", str(tmp_path / "f.csv"), stdout=out)
        return out.getvalue().splitlines()

    dry = run("--dry-run")
    real = run()
    assert (Review.objects.count(), Comment.objects.count(), FlatPage.objects.count()) == counts
    assert dry[1:] == real[1:]  # the dry run says what the real run did (all but its first line)
    lines = {line.split(":")[0].strip(): line for line in real if line.startswith("  ") and ":" in line}
    assert lines["posts"] == "  posts: 5 skipped (5 already here)"
    assert lines["pages"] == "  pages: 3 skipped (3 already here)"
    assert "comments" not in lines
    assert all(line.split(":", 1)[1].strip() for line in lines.values())  # no empty "authors:" line
    # A review deleted since the export comes back; the others stay as they are.
    Review.objects.get(slug="poor-things").delete()
    again = {line.split(":")[0].strip(): line for line in run() if line.startswith("  ") and ":" in line}
    assert again["posts"] == "  posts: 1 imported, 4 skipped (4 already here)"
    assert Review.objects.count() == counts[0] and Review.objects.filter(slug="poor-things").exists()


def test_a_scorecard_line_this_site_cannot_score_is_left_out_with_a_note(tmp_path):
    review = ReviewFactory(slug="edited", film=FilmFactory(title="Heat", release_year=1995))
    ReviewAspectFactory(review=review, name="Direction", score=Decimal("4.5"))
    xml = export(site_url="https://copy.example")  # another site's export: imported beside the original
    edited = [{"name": "Direction", "score": "5"}, {"name": "Vibes", "score": "4"}, {"name": "Acting", "score": "7"}]
    written = cdata(serialize([{"name": "Direction", "score": "4.5"}]))
    assert written in xml
    path = tmp_path / "edited.xml"
    path.write_text(xml.replace(written, cdata(serialize(edited))))
    out = StringIO()
    call_command("import_wordpress", str(path), stdout=out)
    copy = Review.objects.exclude(pk=review.pk).get(title=review.title)
    assert [(a.name, a.score) for a in copy.aspects.all()] == [("Direction", Decimal("5"))]
    assert "scorecard lines left out (Vibes, Acting)" in out.getvalue()
