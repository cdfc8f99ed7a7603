"""Authors' publishing tools: scheduling, mentions, spoilers, alt text, reading time, author pages."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews.markdown import render_markdown
from reviews.models import AuthorProfile, Review
from tests.factories import FilmFactory, FranchiseFactory, PersonFactory, ReviewFactory, UserFactory, image_file

pytestmark = pytest.mark.django_db


def html_of(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# --- Scheduled publishing ---


def test_a_scheduled_review_appears_by_itself_at_its_time(client, monkeypatch):
    review = ReviewFactory(title="Tomorrow's verdict", published_at=timezone.now() + timedelta(hours=1))
    assert client.get(review.get_absolute_url()).status_code == 404
    assert "Tomorrow&#x27;s verdict" not in html_of(client, "/")

    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + timedelta(hours=2))  # time passes; no cron runs
    assert "Tomorrow&#x27;s verdict" in html_of(client, "/")
    assert "Tomorrow&#x27;s verdict" in html_of(client, review.get_absolute_url())


# --- Mentions ---


@pytest.fixture
def cast():
    atomic = FilmFactory(title="Atomic Blonde", release_year=2017)
    ana = PersonFactory(name="Ana de Armas")
    return atomic, ana


def test_mentions_link_films_and_people(cast):
    atomic, ana = cast
    review = ReviewFactory(body="Closer to [[Atomic Blonde]] than to anything, thanks to [[ana de armas]].")
    assert f'<a class="mention" href="{atomic.get_absolute_url()}"' in review.body_html
    assert f'<a class="mention" href="{ana.get_absolute_url()}"' in review.body_html
    assert list(review.mentioned_films.all()) == [atomic]
    assert list(review.mentioned_people.all()) == [ana]


def test_a_year_picks_between_films_of_the_same_title(cast):
    remake = FilmFactory(title="Atomic Blonde", release_year=2031)
    review = ReviewFactory(body="Not the [[Atomic Blonde (2031)]] remake; [[Atomic Blonde]] alone is ambiguous.")
    assert f'href="{remake.get_absolute_url()}"' in review.body_html
    assert "ambiguous" in review.body_html and review.body_html.count('class="mention"') == 1
    assert "[[" not in review.body_html  # what matches nothing stays as plain text
    assert list(review.mentioned_films.all()) == [remake]


def test_a_mention_that_matches_nothing_stays_plain_text_and_the_preview_flags_it(author_client, cast):
    review = ReviewFactory(body="As good as [[Nobody Film]].")
    assert "<p>As good as Nobody Film.</p>" in review.body_html
    preview = author_client.post("/markdownx/markdownify/", {"content": "[[Nobody Film]] and [[Atomic Blonde]]"})
    html = preview.content.decode()
    assert '<mark class="mention-missing" title="No film or person matches this mention">Nobody Film</mark>' in html
    assert 'class="mention"' in html  # the one that matches is linked in the preview too


def test_editing_the_text_keeps_mentions_in_step(cast):
    atomic, ana = cast
    review = ReviewFactory(body="[[Atomic Blonde]]")
    review.body = "[[Ana de Armas]] only"
    review.save()
    assert list(review.mentioned_films.all()) == [] and list(review.mentioned_people.all()) == [ana]


def test_mentioned_films_are_related_on_the_review_page_and_link_back(client, cast):
    atomic, ana = cast
    review = ReviewFactory(title="Ballerina dances", body="It owes a lot to [[Atomic Blonde]].")
    review_html = html_of(client, review.get_absolute_url())
    assert "Films in this review" in review_html and f'href="{atomic.get_absolute_url()}"' in review_html
    film_html = html_of(client, atomic.get_absolute_url())
    assert "Mentioned in" in film_html and f'href="{review.get_absolute_url()}">Ballerina dances</a>' in film_html
    person_review = ReviewFactory(title="On de Armas", body="[[Ana de Armas]] again.")
    assert f'href="{person_review.get_absolute_url()}">On de Armas</a>' in html_of(client, ana.get_absolute_url())


def test_drafts_never_show_as_mentions(client, cast):
    atomic, _ = cast
    ReviewFactory(title="Secret draft", body="[[Atomic Blonde]]", status=Review.Status.DRAFT)
    assert "Secret draft" not in html_of(client, atomic.get_absolute_url())


# --- Spoilers ---


def test_spoiler_passages_are_closed_details_that_work_without_javascript():
    html = render_markdown("Fine.\n\n||Eve survives.\n\nSo does Wick.||\n\nAfter.")
    assert '<details class="spoiler">\n<summary>Spoiler — select to reveal</summary>' in html
    assert "<p>Eve survives.</p>" in html and "open" not in html
    assert html.index("<p>Fine.</p>") < html.index("<details") < html.index("<p>After.</p>")


def test_unclosed_bars_stay_as_text():
    assert "<details" not in render_markdown("||Never closed\n\nAnother paragraph.")


def test_spoiler_flag_on_cards_and_page(client):
    review = ReviewFactory(title="Twisty", contains_spoilers=True, body="||The end.||")
    assert "Contains spoilers" in html_of(client, "/")
    assert "This review contains spoilers; the biggest are hidden until you open them." in html_of(
        client, review.get_absolute_url()
    )
    ReviewFactory(title="Safe", contains_spoilers=False)
    assert html_of(client, "/").count("Contains spoilers") == 1


# --- Alt text is never forgotten ---


def admin_form(review_data):
    film = review_data.pop("film")
    return {
        "film": film.pk,
        "title": "With an image",
        "slug": "",
        "standfirst": "One line.",
        "status": "draft",
        "published_at_0": "2025-06-01",
        "published_at_1": "10:00:00",
        "comments_open": "on",
        "aspects-TOTAL_FORMS": 0,
        "aspects-INITIAL_FORMS": 0,
        **review_data,
    }


@pytest.mark.parametrize(
    "body",
    [
        "Look:\n\n![Describe this image](/media/uploads/still-01.jpg)",
        "Look:\n\n![](/media/uploads/still-01.jpg)",
        'Look: <img src="/media/uploads/still-01.jpg">',
    ],
)
def test_saving_an_image_without_real_alt_text_is_refused_naming_it(author_client, body):
    response = author_client.post(
        reverse("admin:reviews_review_add"), admin_form({"film": FilmFactory(), "body": body})
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Describe every image for readers who cannot see it: “still-01.jpg” has no alt text yet" in html
    assert not Review.objects.exists()


def test_an_described_image_saves(author_client):
    body = "![Eve on a stage, in red light](/media/uploads/still-01.jpg)"
    response = author_client.post(
        reverse("admin:reviews_review_add"), admin_form({"film": FilmFactory(), "body": body})
    )
    assert response.status_code == 302
    assert 'alt="Eve on a stage, in red light"' in Review.objects.get().body_html


# --- Reading time and the franchise ---


def test_reading_time_on_cards_and_the_review_page(client):
    review = ReviewFactory(body=" ".join(["word"] * 690))  # 3 minutes at 230 words a minute
    assert "3 min read" in html_of(client, "/")
    assert "3 min read" in html_of(client, review.get_absolute_url())
    assert ReviewFactory(body="Short.").reading_minutes == 1


def test_more_from_the_franchise_on_film_and_review_pages(client):
    saga = FranchiseFactory(name="John Wick")
    wick = FilmFactory(title="John Wick", release_year=2014, franchise=saga)
    ballerina = FilmFactory(title="Ballerina", release_year=2025, franchise=saga)
    ReviewFactory(film=wick)
    review = ReviewFactory(film=ballerina)
    FilmFactory(title="Unrelated")
    for url in (ballerina.get_absolute_url(), review.get_absolute_url()):
        html = html_of(client, url)
        assert "More from the World of John Wick" in html
        assert f'<a href="{wick.get_absolute_url()}">John Wick</a>' in html
        assert '<span class="muted">· 1 review</span>' in html
        assert "Unrelated" not in html
    assert f'<a href="{ballerina.get_absolute_url()}">Ballerina</a>' in html_of(client, wick.get_absolute_url())


# --- Author pages ---


def test_author_page_shows_name_bio_photo_and_published_reviews(client):
    user = UserFactory(username="ava", first_name="Ava", last_name="Marlowe", group="Authors")
    profile = AuthorProfile.objects.create(
        user=user, bio="Writes about stunt teams.", photo=image_file("ava.jpg"), photo_alt="Ava at a festival"
    )
    ReviewFactory(author=user, title="Published one")
    ReviewFactory(author=user, title="Hidden draft", status=Review.Status.DRAFT)
    html = html_of(client, "/authors/ava-marlowe/")
    assert "<h1>Ava Marlowe</h1>" in html and "Writes about stunt teams." in html
    assert 'alt="Ava at a festival"' in html and profile.photo.url in html
    assert "Published one" in html and "Hidden draft" not in html


def test_bylines_link_to_the_author_page(client):
    review = ReviewFactory(author=UserFactory(first_name="Theo", last_name="Lindqvist", group="Authors"))
    link = '<a href="/authors/theo-lindqvist/" rel="author">Theo Lindqvist</a>'
    assert link in html_of(client, "/") and link in html_of(client, review.get_absolute_url())


def test_an_author_without_published_reviews_has_no_public_page(client):
    AuthorProfile.objects.create(user=UserFactory(first_name="New", last_name="Writer"))
    assert client.get("/authors/new-writer/").status_code == 404
    assert client.get("/authors/nobody/").status_code == 404


def test_authors_edit_their_own_page_only(author_client, author, other_author):
    mine = AuthorProfile.objects.create(user=author)
    theirs = AuthorProfile.objects.create(user=other_author)
    change = "admin:reviews_authorprofile_change"
    assert author_client.get(reverse(change, args=[mine.pk])).status_code == 200
    assert author_client.get(reverse(change, args=[theirs.pk])).status_code == 302  # not found → back to the list
    data = {"slug": mine.slug, "bio": "Now with a bio.", "photo_alt": ""}
    assert author_client.post(reverse(change, args=[mine.pk]), data).status_code == 302
    mine.refresh_from_db()
    assert mine.bio == "Now with a bio." and mine.user == author


def test_author_page_query_count_does_not_grow(client, django_assert_max_num_queries, settings):
    settings.REVIEWS_PER_PAGE = 30
    user = UserFactory(first_name="Busy", last_name="Writer", group="Authors")
    ReviewFactory.create_batch(30, author=user)
    # the page's stamp (page cache), the profile, the count and one page of reviews (film and author in one query)
    with django_assert_max_num_queries(4):
        html = html_of(client, "/authors/busy-writer/")
    assert html.count('class="card"') == 30


def test_mention_links_follow_a_film_whose_address_changes(client, cast):
    atomic, _ = cast
    review = ReviewFactory(body="See [[Atomic Blonde]].")
    atomic.slug = "atomic-blonde-the-film"
    atomic.save()
    html = html_of(client, review.get_absolute_url())
    assert 'class="mention" href="/films/atomic-blonde-the-film/"' in html
    assert client.get("/films/atomic-blonde-the-film/").status_code == 200


def test_a_film_added_after_the_review_gets_its_mentions_linked(client):
    review = ReviewFactory(body="Waiting for [[Nobody Film]].")
    assert 'class="mention"' not in review.body_html
    film = FilmFactory(title="Nobody Film")
    review.refresh_from_db()
    assert f'class="mention" href="{film.get_absolute_url()}"' in review.body_html
    assert list(review.mentioned_films.all()) == [film]
    assert review.history.count() == 1  # re-linking is not an edit: no new revision


def test_inline_spoilers_hide_words_inside_a_sentence():
    html = render_markdown("The twist: ||the butler did it||, of course.")
    assert "||" not in html
    assert (
        '<details class="spoiler-inline">\n<summary>spoiler</summary>\n<span>the butler did it</span></details>' in html
    )
    assert html.startswith('<div class="paragraph">')  # a <p> may not hold a <details>


def test_two_inline_spoilers_in_one_paragraph_stay_two():
    html = render_markdown("||Eve|| survives and ||Wick|| walks away.")
    assert html.count('<details class="spoiler-inline">') == 2
    assert "<span>Eve</span>" in html and "<span>Wick</span>" in html and " survives and " in html


def test_the_spoiler_note_does_not_claim_hidden_passages_that_are_not_there(client):
    review = ReviewFactory(contains_spoilers=True, body="The details of the heist are the point.")
    html = html_of(client, review.get_absolute_url())
    assert "This review contains spoilers." in html and "hidden until you open them" not in html


def test_images_dropped_into_the_editor_keep_their_size_so_the_page_does_not_jump(author_client):
    from tests.factories import image_file as make_image

    upload = make_image("still.png", size=(640, 360), fmt="PNG")
    url = author_client.post("/markdownx/upload/", {"image": upload}).json()["image_code"].split("(")[1][:-1]
    review = ReviewFactory(body=f"![Eve on stage]({url})\n\n![Elsewhere](https://example.com/x.jpg)")
    [tag] = [t for t in re.findall(r"<img [^>]+>", review.body_html) if url in t]
    assert 'width="640"' in tag and 'height="360"' in tag and 'alt="Eve on stage"' in tag
    assert review.body_html.count("width=") == 1  # a remote image's size is unknown: none is invented
