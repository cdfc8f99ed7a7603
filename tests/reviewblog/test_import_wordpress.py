"""manage.py import_wordpress: posts, comments, images, authors, genres, films, idempotency, the report."""

from datetime import UTC, datetime
from decimal import Decimal
from io import StringIO

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.flatpages.models import FlatPage
from django.core import mail
from django.core.management import call_command
from django_tasks.base import Task

from comments.models import Comment, CommentEvent
from reviewblog.models import ImportedItem, OldLink
from reviews.models import Film, Genre, Review

from .conftest import FIXTURES

pytestmark = pytest.mark.django_db


def run(*args, **options) -> str:
    out = StringIO()
    call_command("import_wordpress", str(FIXTURES / "blog.xml"), *args, stdout=out, **options)
    return out.getvalue()


def imported(kind, wordpress_id):
    return ImportedItem.objects.get(kind=kind, source_id=str(wordpress_id)).target


def simple_pages() -> list[tuple]:
    """Every flatpage's fields; its HTML as a tree (nh3 writes an image's added attributes in any order)."""
    pages = FlatPage.objects.order_by("pk").values_list("pk", "url", "title", "registration_required", "content")
    return [(*fields, BeautifulSoup(content, "html.parser")) for *fields, content in pages]


@pytest.fixture
def blog(films, uploads):
    report = run("--media", str(uploads))
    return report


def test_block_post_becomes_a_published_review_with_clean_markdown(blog, films):
    review = imported("post", 10)
    assert review.title == "Ballerina (2025)"
    assert review.slug == "ballerina-2025"
    assert review.standfirst == "Grief, not swagger, drives this John Wick spin-off."
    assert review.status == Review.Status.PUBLISHED
    assert review.published_at == datetime(2025, 6, 4, 8, 30, tzinfo=UTC)
    assert review.film == films["ballerina"]
    assert review.rating == Decimal("4")
    body = review.body
    assert "<!--" not in body and "wp:" not in body
    assert "## What works" in body
    assert "- The theatre fight" in body and "**count**" in body
    assert "> Discipline is a wound that never closes." in body
    assert "[Atomic Blonde piece](https://films.example/2017/08/02/atomic-blonde/)" in body
    assert "a]]>b stays intact" in body
    assert "Rating:" not in body
    assert review.author.username == "ava"


def test_images_are_checked_stored_and_keep_their_alt_text(blog):
    review = imported("post", 10)
    attachment = ImportedItem.objects.get(kind="attachment", source_id="11")
    assert attachment.file.startswith("wordpress/2025/06/ballerina-poster")
    # The featured image is the hero, with its alt text; the body's sized copy points at the stored file.
    assert review.hero_image.name == attachment.file
    assert review.hero_alt == "A dancer in a dark coat raises a shotgun against an orange glow"
    assert (
        f"![A dancer in a dark coat raises a shotgun against an orange glow](/media/{attachment.file})" in review.body
    )
    assert "*The poster, all smoke and neon*" in review.body


def test_classic_post_keeps_paragraphs_captions_lists_and_its_rating(blog, films):
    review = imported("post", 20)
    assert review.film == films["atomic"]  # year from the "2017" tag
    assert review.rating == Decimal("4")
    assert review.author.username == "théo"
    assert not review.comments_open
    body = review.body
    assert body.startswith("Berlin, 1989, and everybody is lying.  \nEven the soundtrack has an agenda.")
    assert "![A long fight on a stairwell, shot in one take](/media/wordpress/2017/08/stairwell.png)" in body
    assert "*The stairwell, in one unbroken take*" in body
    assert "### The verdict" in body and "1. Style to spare" in body
    assert "> Nobody here is who they say." in body
    assert "[caption" not in body
    # A missing file is reported, and the old address is kept.
    assert "https://films.example/wp-content/uploads/2017/08/gone.jpg" in body
    assert "wp-content/uploads/2017/08/gone.jpg (post 20): not found" in blog


def test_statuses_draft_scheduled_private_and_pages(blog):
    draft = imported("post", 30)
    assert draft.status == Review.Status.DRAFT
    assert draft.title == "Notes on a thriller I haven't finished"
    scheduled = imported("post", 31)
    assert scheduled.status == Review.Status.PUBLISHED
    assert scheduled.published_at == datetime(2031, 1, 15, 10, tzinfo=UTC)
    assert not scheduled.is_public
    private = imported("post", 32)
    assert private.status == Review.Status.DRAFT
    assert private.standfirst == "Private <notes>"
    assert "was private in WordPress: imported as a draft" in blog


def test_pages_become_simple_pages_in_their_hierarchy(blog, client):
    about, team = imported("page", 40), imported("page", 41)
    assert (about.url, about.title, about.registration_required) == ("/about/", "About", False)
    assert about.content == "<p>Who writes here.</p>"  # Markdown, then HTML made by reviews/markdown.py
    assert list(about.sites.values_list("pk", flat=True)) == [1]
    assert team.url == "/about/team/"  # read before its parent in the file: its place comes from the first pass
    assert team.title == "The team & how we work"
    page = client.get("/pages/about/team/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<h1>The team &amp; how we work</h1>" in html and '<footer class="site-footer">' in html
    stored = ImportedItem.objects.get(kind="attachment", source_id="11").file
    # The sized copy leads to the stored image, with the attachment's alt text, as in posts.
    assert 'alt="A dancer in a dark coat raises a shotgun against an orange glow"' in html
    assert f'src="/media/{stored}"' in html
    assert "<p>Write to us: editors@films.example</p>" in html


def test_a_draft_page_is_imported_but_not_public(blog, client, admin_client):
    draft = imported("page", 42)
    assert (draft.url, draft.registration_required) == ("/review-policy/", True)
    assert "Rating: 4 out of 5" in draft.content and "<p>4/5</p>" in draft.content  # a page has no rating
    assert client.get("/pages/review-policy/").status_code == 302  # to the admin's login
    assert admin_client.get("/pages/review-policy/").status_code == 200
    assert "page 42 “Review policy” was draft in WordPress: imported at /pages/review-policy/" in blog
    assert not ImportedItem.objects.filter(kind="page", source_id="43").exists()  # trashed


def test_old_page_addresses_answer_301_with_the_new_one(blog, client):
    for path, query, new in [
        ("/", {"page_id": "40"}, "/pages/about/"),
        ("/", {"p": "41"}, "/pages/about/team/"),
        ("/about/", {}, "/pages/about/"),
        ("/about/team/", {}, "/pages/about/team/"),
        ("/about/team", {}, "/pages/about/team/"),
        ("/", {"page_id": "42"}, "/pages/review-policy/"),
    ]:
        response = client.get(path, query)
        assert (response.status_code, response["Location"]) == (301, new), path
    assert client.get("/contact/").status_code == 404  # trashed


def test_a_public_post_whose_film_is_not_here_stays_public_flagged_for_an_editor(blog):
    review = imported("post", 25)
    assert review.title == "花樣年華 — In the Mood for Love"
    assert review.status == Review.Status.PUBLISHED and review.is_public
    assert review.film is None and review.film_to_check
    assert review.rating == Decimal("4.5")
    assert review.slug  # ASCII, from nothing ASCII: still a working address
    assert "post 25 “花樣年華 — In the Mood for Love” → “花樣年華 — In the Mood for Love”, not in the catalogue" in blog
    assert not Film.objects.filter(title="Film not yet chosen").exists()


def test_create_films_makes_the_missing_film(films, uploads):
    report = run("--media", str(uploads), "--create-films")
    review = imported("post", 32)  # "Atomic Blonde: private notes (2017)" matches by the part before the colon
    assert review.film == films["atomic"] and not review.film_to_check
    second = imported("post", 31)  # "Second look: Ballerina (2025)"
    assert second.film == films["ballerina"]
    made = imported("post", 25)
    assert made.film.title == "花樣年華 — In the Mood for Love" and made.film.release_year is None
    assert made.film_to_check and made.is_public
    assert "Films to check" in report and "post 25" in report


def test_authors_are_staff_in_the_authors_group_without_passwords(blog):
    ava = get_user_model().objects.get(username="ava")
    assert ava.is_staff and not ava.has_usable_password()
    assert ava.groups.filter(name="Authors").exists()
    assert (ava.first_name, ava.last_name, ava.email) == ("Ava", "Lindqvist", "ava@films.example")


def test_categories_and_tags_become_genres_of_the_film(blog, films):
    assert set(films["ballerina"].genres.values_list("name", flat=True)) == {"Action", "Neo-noir"}
    assert set(films["atomic"].genres.values_list("name", flat=True)) == {"Spy thrillers"}
    assert not Genre.objects.filter(name__in=["2017", "Uncategorized"]).exists()


def test_a_genre_mapping_renames_and_leaves_out(films, uploads, tmp_path):
    mapping = tmp_path / "genres.txt"
    mapping.write_text("action = Action & adventure\nneo-noir =\n# comments are fine\nspy-thrillers = Thriller\n")
    run("--media", str(uploads), "--genres", str(mapping))
    assert set(films["ballerina"].genres.values_list("name", flat=True)) == {"Action & adventure"}
    assert set(films["atomic"].genres.values_list("name", flat=True)) == {"Thriller"}


def test_comments_keep_threads_status_people_and_akismet_history(blog):
    review = imported("post", 10)
    nadia, ava, jonas, bot, rude, ping = (imported("comment", n) for n in range(101, 107))
    assert (nadia.status, nadia.verdict, nadia.depth, nadia.parent) == ("approved", "ham", 0, None)
    assert nadia.ip_address == "203.0.113.7"
    assert nadia.user_agent == "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"
    assert nadia.referrer == "https://films.example/2025/06/04/ballerina-2025/"
    assert nadia.author_url == "https://nadia.example.org/"
    assert nadia.body == "Loved the quiet bits. My longer notes are on my blog (https://nadia.example.org/ballerina)."
    assert nadia.created_at == datetime(2025, 6, 4, 9, tzinfo=UTC)
    assert (ava.parent, ava.root, ava.depth, ava.user.username) == (nadia, nadia, 1, "ava")
    assert (jonas.parent, jonas.root, jonas.depth, jonas.status) == (ava, nadia, 2, "pending")
    assert jonas.verdict == "error" and jonas.next_check_at is None
    assert jonas.ip_address == "2001:db8::17"
    assert (bot.status, bot.verdict, bot.reported_as) == ("spam", "spam", "spam")
    assert (rude.status, rude.ip_address) == ("trash", None)
    assert (ping.kind, ping.status) == ("pingback", "approved")
    assert ping.body == "[…] a thoughtful take on Ballerina over at Reel Verdicts […]"
    history = [(e.kind, e.actor and e.actor.username) for e in bot.events.all()]
    assert history == [("checked", None), ("reported_spam", "ava"), ("imported", None)]
    assert bot.events.first().created_at == datetime.fromtimestamp(1749031200.5, UTC)
    assert [e.kind for e in rude.events.all()] == ["trashed", "imported"]
    assert review.comments.count() == 6


def test_imported_comments_are_never_sent_to_akismet_nor_emailed(films, uploads, monkeypatch, settings):
    settings.AKISMET_API_KEY = "a-key"  # screening on: still nothing may be checked
    enqueued = []
    monkeypatch.setattr(Task, "enqueue", lambda self, *args, **kwargs: enqueued.append(self))
    run("--media", str(uploads))
    assert Comment.objects.count() == 6
    assert enqueued == []
    assert mail.outbox == []
    assert not CommentEvent.objects.filter(kind__in=["submitted", "notified"]).exists()


def test_the_review_page_shows_approved_comments_but_not_pingbacks(blog, client):
    review = imported("post", 10)
    page = client.get(review.get_absolute_url()).content.decode()
    assert "Loved the" in page and "The mirror scene was my favourite" in page
    assert "thoughtful take on Ballerina" not in page
    assert "Visit my shop" not in page and "Something unkind" not in page


def test_a_second_run_updates_and_never_duplicates(blog, uploads):
    counts = (Review.objects.count(), Comment.objects.count(), CommentEvent.objects.count(), OldLink.objects.count())
    pages = simple_pages()
    first = ImportedItem.objects.count()
    unmatched = imported("post", 25)
    unmatched.film = Film.objects.create(title="In the Mood for Love", release_year=2000)  # an editor's choice
    unmatched.save()
    report = run("--media", str(uploads))
    assert imported("post", 25).film == unmatched.film  # kept, not sent back to the placeholder
    assert (Review.objects.count(), Comment.objects.count()) == counts[:2]
    assert CommentEvent.objects.count() == counts[2]
    assert OldLink.objects.count() == counts[3]
    assert ImportedItem.objects.count() == first
    assert simple_pages() == pages
    assert "posts: 6 updated" in report and "comments: 6 updated" in report
    assert "pages: 3 updated, 1 skipped" in report


def test_dry_run_changes_nothing_and_prints_the_same_report(films, uploads, media_root, tmp_path):
    dry = run("--media", str(uploads), "--dry-run", "--films-out", str(tmp_path / "films.csv"))
    assert Review.objects.count() == Comment.objects.count() == ImportedItem.objects.count() == 0
    assert OldLink.objects.count() == 0
    assert not list(media_root.rglob("*.*")) if media_root.exists() else True
    real = run("--media", str(uploads))
    *dry_report, mapping_line = dry.splitlines()
    assert dry_report[1:] == real.splitlines()[1:]
    assert mapping_line.startswith(f"Film mapping of 6 posts written to {tmp_path / 'films.csv'}")
    assert dry.startswith("Dry run: nothing was saved.")


def test_report_counts_per_kind(blog):
    assert "posts: 6 imported\n" in blog
    assert "pages: 3 imported, 1 skipped (1 in WordPress's trash)" in blog
    assert "comments: 6 imported" in blog
    assert "images: 2 imported" in blog
    assert "authors: 2 imported" in blog
    assert "Sticky posts" in blog and "post 10 “Ballerina (2025)” → /reviews/ballerina-2025/" in blog


def test_missing_media_folder_is_reported_never_fatal(films):
    report = run()
    assert Review.objects.count() == 6
    assert "wp-content/uploads/2025/06/ballerina-poster.jpg: no --media folder given" in report


def test_the_report_counts_authors_matched_to_people_already_here(films, uploads):
    get_user_model().objects.create_user("ava", email="ava@reelverdicts.example")
    assert "authors: 1 imported, 1 matched an existing user\n" in run("--media", str(uploads))


def test_a_post_keeps_its_last_edit_in_wordpress_rather_than_the_day_of_the_import(blog, client):
    review = imported("post", 10)
    assert review.updated_at == datetime(2025, 6, 5, 9, tzinfo=UTC)  # wp:post_modified_gmt
    html = client.get(review.get_absolute_url()).content.decode()
    assert 'updated <time datetime="2025-06-05T10:00:00+01:00">5 June 2025</time>' in html
    never_edited = imported("post", 25)  # no post_modified: as published
    assert never_edited.updated_at == never_edited.published_at


def test_a_details_block_comes_in_as_a_spoiler_still_hidden(films, uploads, tmp_path, client):
    details = (
        '<!-- wp:details -->\n<details class="wp-block-details"><summary>Who is behind it?</summary>'
        "<!-- wp:paragraph -->\n<p>The Director herself.</p>\n<!-- /wp:paragraph --></details>\n<!-- /wp:details -->"
    )
    export = tmp_path / "blog.xml"
    export.write_text(
        (FIXTURES / "blog.xml").read_text().replace("<!-- wp:quote -->", details + "\n\n<!-- wp:quote -->")
    )
    call_command("import_wordpress", str(export), "--media", str(uploads), stdout=StringIO())
    review = imported("post", 10)
    assert "Who is behind it?\n\n||The Director herself.||" in review.body
    page = client.get(review.get_absolute_url()).content.decode()
    hidden = page.split('<details class="spoiler">', 1)[1].split("</details>", 1)[0]
    assert "The Director herself." in hidden
