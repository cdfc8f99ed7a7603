"""Site search, run the same way on SQLite (the fallback) and on PostgreSQL (full-text search)."""

import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from reviews import search
from reviews.models import Film, Review
from tests.factories import FilmFactory, PersonFactory, ReviewFactory, UserFactory, image_file

pytestmark = pytest.mark.django_db

SEARCH_URL = reverse("reviews:search")


def search_page(client, q, **params):
    response = client.get(SEARCH_URL, {"q": q, **params})
    assert response.status_code == 200
    return response.content.decode()


def result_titles(html):
    """The linked titles of the results, in order, without their <mark>s."""
    titles = re.findall(r'<h3 class="search-result-title"><a href="[^"]*">(.*?)</a>', html)
    return [re.sub(r"</?mark>", "", title) for title in titles]


def snippets(html):
    return re.findall(r'<p class="search-snippet">(.*?)</p>', html)


# --- The search box ---


def test_every_page_has_a_labelled_search_box_that_works_without_javascript(client):
    review = ReviewFactory()
    for url in (reverse("reviews:home"), review.get_absolute_url(), reverse("reviews:archive")):
        html = client.get(url).content.decode()
        form = re.search(r'<form class="site-search" role="search"[^>]*>.*?</form>', html, re.DOTALL).group()
        assert f'action="{SEARCH_URL}" method="get"' in form
        assert '<label class="visually-hidden" for="site-search-q">Search reviews, films and people</label>' in form
        assert 'id="site-search-q" type="search" name="q"' in form
        assert '<button type="submit">Search</button>' in form


def test_results_page_keeps_the_query_in_its_own_search_box_and_is_not_indexed(client):
    html = search_page(client, "stairwell")
    assert 'name="q" value="stairwell"' in html
    assert "<title>“stairwell” — Search" in html
    assert '<meta name="robots" content="noindex, follow">' in html


# --- Finding and ranking ---


def test_finds_a_published_review_by_a_word_of_its_body(client):
    ReviewFactory(title="Atomic Blonde: style over sense", body="A single **stairwell** fight, staged as one take.")
    ReviewFactory(title="Something else", body="Nothing to see.")
    html = search_page(client, "stairwell")
    assert result_titles(html) == ["Atomic Blonde: style over sense"]
    assert "<mark>stairwell</mark>" in snippets(html)[0]


def test_ranks_a_title_match_above_a_standfirst_match_above_a_body_only_match(client):
    day = timezone.timedelta(days=1)
    ReviewFactory(title="Old title match: Choreography", published_at=timezone.now() - 30 * day)
    ReviewFactory(title="Standfirst", standfirst="All about the choreography.", published_at=timezone.now() - 20 * day)
    ReviewFactory(title="Newest, body only", body="The choreography is fine.", published_at=timezone.now() - day)
    html = search_page(client, "choreography")
    assert result_titles(html) == ["Old title match: Choreography", "Standfirst", "Newest, body only"]
    assert "<mark>Choreography</mark>" in html


def test_every_word_must_match_in_any_order(client):
    ReviewFactory(title="Both", body="The fight on the staircase.")
    ReviewFactory(title="Only one", body="A staircase, and nothing more.")
    assert result_titles(search_page(client, "staircase fight")) == ["Both"]


def test_phrases_exclusions_and_alternatives(client):
    ReviewFactory(title="Long take", body="Shot as one long take with a knife.")
    ReviewFactory(title="Take long", body="A take that felt long, with a gun.")
    ReviewFactory(title="Sword", body="A sword fight.")
    assert result_titles(search_page(client, '"long take"')) == ["Long take"]
    assert result_titles(search_page(client, "take -gun")) == ["Long take"]
    assert sorted(result_titles(search_page(client, "knife or sword"))) == ["Long take", "Sword"]


def test_other_forms_of_a_word_are_found(client):
    ReviewFactory(title="Fighting talk", body="The fighting never stops.")
    html = search_page(client, "fight")
    assert result_titles(html) == ["Fighting talk"]
    assert "<mark>fighting</mark>" in snippets(html)[0]
    if connection.vendor == "postgresql":  # English stemming: fights → fight ← fighting
        html = search_page(client, "fights")
        assert result_titles(html) == ["Fighting talk"]
        assert "<mark>fighting</mark>" in snippets(html)[0]


def test_finds_films_by_title_or_synopsis_and_people_by_name_or_bio(client):
    FilmFactory(title="The Villainess", synopsis="An assassin raised in China.")
    FilmFactory(title="Atomic Blonde", synopsis="A spy in Berlin, 1989.")
    PersonFactory(name="Kim Ok-vin", bio="Played the villainess.")
    PersonFactory(name="Charlize Theron", bio="Trained for months.")
    html = search_page(client, "villainess")
    assert result_titles(html) == ["The Villainess", "Kim Ok-vin"]
    assert 'href="/films/the-villainess-2017/"' in html
    assert "Played the <mark>villainess</mark>." in html
    assert result_titles(search_page(client, "berlin")) == ["Atomic Blonde"]
    assert result_titles(search_page(client, "theron")) == ["Charlize Theron"]


def test_an_edited_review_is_found_by_its_new_words_only(client):
    review = ReviewFactory(title="Edited", body="First draft about a zeppelin.")
    review.body = "Second thoughts about a submarine."
    review.save()
    Film.objects.filter(pk=review.film.pk).update(synopsis="A submarine film.")  # no save() at all
    assert result_titles(search_page(client, "zeppelin")) == []
    assert result_titles(search_page(client, "submarine")) == ["Edited", review.film.title]  # reviews first


def test_drafts_and_scheduled_reviews_never_appear(client):
    ReviewFactory(title="Published zeppelin review")
    ReviewFactory(title="Draft zeppelin review", status=Review.Status.DRAFT)
    ReviewFactory(title="Scheduled zeppelin review", published_at=timezone.now() + timezone.timedelta(hours=1))
    html = search_page(client, "zeppelin")
    assert result_titles(html) == ["Published zeppelin review"]
    assert "Draft zeppelin" not in html and "Scheduled zeppelin" not in html
    assert 'Reviews <span class="search-count">1</span>' in html


def test_a_reader_sees_there_were_no_results_and_where_to_go(client):
    ReviewFactory(title="Something")
    html = search_page(client, "xylophone")
    assert "Nothing matches “xylophone”." in html
    assert f'href="{reverse("reviews:archive")}"' in html


# --- Pages and tabs ---


def test_reviews_are_paginated_and_the_links_keep_the_query(client, settings):
    settings.REVIEWS_PER_PAGE = 5
    for n in range(12):
        ReviewFactory(title=f"Heist {n}", published_at=timezone.now() - timezone.timedelta(days=n + 1))
    first = search_page(client, "heist")
    assert result_titles(first) == [f"Heist {n}" for n in range(5)]
    assert "Page 1 of 3" in first
    assert 'href="?q=heist&amp;page=2">Next →' in first
    last = search_page(client, "heist", page=3)
    assert result_titles(last) == ["Heist 10", "Heist 11"]
    assert '<ol class="search-results" start="11">' in last
    assert search_page(client, "heist", page="nonsense").count("search-result-title") == 5


def test_the_first_page_previews_films_and_people_and_links_to_all_of_them(client, settings):
    settings.REVIEWS_PER_PAGE = 2
    FilmFactory.create_batch(6, synopsis="A heist goes wrong.")
    PersonFactory(name="Heist Expert")
    ReviewFactory.create_batch(3, title="Heist review")
    html = search_page(client, "heist")
    assert html.count("A <mark>heist</mark> goes wrong.") == 4
    assert "All 6 films →" in html and "All 1 people" not in html
    assert 'All <span class="search-count">10</span>' in html
    assert "<mark>Heist</mark> Expert" in html
    second = search_page(client, "heist", page=2)
    assert "goes wrong" not in second and "Expert" not in second

    films = search_page(client, "heist", type="films")
    assert films.count("A <mark>heist</mark> goes wrong.") == 2  # a page of films, no reviews
    assert "Heist review" not in films
    assert 'aria-current="page">Films <span class="search-count">6</span>' in films
    assert 'href="?q=heist&amp;type=films&amp;page=2"' in films
    assert 'name="type" value="films"' in films  # searching again stays on films


def test_an_unknown_result_type_shows_everything(client):
    ReviewFactory(title="Heist review")
    assert result_titles(search_page(client, "heist", type="<script>")) == ["Heist review"]


def test_results_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, settings):
    ReviewFactory.create_batch(30, body="A heist film.", hero_image=image_file(), hero_alt="A still")
    FilmFactory.create_batch(10, synopsis="A heist.")
    PersonFactory.create_batch(10, bio="Heist specialist.")
    # Counts and one page of reviews, films and people.
    with django_assert_num_queries(6):
        html = search_page(client, "heist")
    assert html.count('class="search-result"') == settings.REVIEWS_PER_PAGE + 2 * 4
    with django_assert_num_queries(4):  # later pages: the counts for the tabs and the reviews
        search_page(client, "heist", page=2)
    with django_assert_num_queries(4):
        search_page(client, "heist", type="people")


# --- Queries that cannot be searched ---


def test_an_empty_query_shows_the_search_form_and_no_results(client):
    ReviewFactory()
    for q in ("", "   "):
        html = search_page(client, q)
        assert "<h1>Search</h1>" in html
        assert "Find a review by any word in it" in html
        assert 'class="search-result"' not in html
    assert "Find a review by any word in it" in client.get(SEARCH_URL).content.decode()


def test_a_query_of_only_common_words_says_so(client):
    ReviewFactory(title="The and of it")
    html = search_page(client, "the and of")
    assert "only has words too common to search for" in html
    assert 'class="search-result"' not in html


def test_a_query_with_no_words_says_so(client):
    html = search_page(client, "&&& !!")
    assert "“&amp;&amp;&amp; !!” has no words to search for." in html


def test_a_very_long_query_is_cut_to_200_characters_and_says_so(client):
    ReviewFactory(title="Heist review")
    html = search_page(client, "heist " * 100)
    assert "only its first 200 characters were used" in html
    value = re.search(r'id="search-q" type="search" name="q" value="([^"]*)"', html).group(1)
    assert len(value) <= 200 and value.startswith("heist heist")
    assert result_titles(html) == ["Heist review"]


@pytest.mark.parametrize(
    "q",
    [
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "'; DROP TABLE reviews_review; --",
        '"',
        "'",
        '"unfinished phrase',
        "-",
        "--heist",
        "heist & | ! <-> :* ()",
        "heist\x00\x07",
        "%_\\",
        "Amélie 映画 Ω 🎬",
        "or",
        "heist or",
        "-the",
    ],
)
def test_hostile_or_odd_queries_get_a_page_never_an_error(client, q):
    ReviewFactory(title="Heist review", body="A heist.")
    html = search_page(client, q)
    assert "<script>alert" not in html
    assert Review.objects.count() == 1


def test_the_query_is_echoed_escaped(client):
    html = search_page(client, '<script>alert("x")</script> heist')
    assert "<script>alert" not in html
    assert "Results for “&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; heist”" in html
    assert 'value="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; heist"' in html


# --- Snippets ---


def test_snippets_and_titles_are_escaped_before_matches_are_marked(client):
    ReviewFactory(
        title="Heist <em>tips</em>",
        standfirst='Say "heist" & mean it',
        body="Write `<b onclick=alert(1)>heist</b>` in the script. Tom &amp; Jerry &lt;3.",
    )
    html = search_page(client, "heist")
    assert "Heist &lt;em&gt;tips&lt;/em&gt;" in html.replace("<mark>Heist</mark>", "Heist")
    assert "Say &quot;<mark>heist</mark>&quot; &amp; mean it" in html
    assert snippets(html) == [
        "Write &lt;b onclick=alert(1)&gt;<mark>heist</mark>&lt;/b&gt; in the script. Tom &amp; Jerry &lt;3."
    ]
    assert "<b onclick" not in html and "<em>tips" not in html


def test_snippets_show_the_passage_with_the_matches_and_say_where_text_was_cut(client):
    filler = " ".join(f"word{n}" for n in range(60))
    ReviewFactory(title="Long", body=f"{filler} the stairwell fight {filler}")
    (snippet,) = snippets(search_page(client, "stairwell"))
    assert snippet.startswith("… ") and snippet.endswith(" …")
    assert "<mark>stairwell</mark>" in snippet
    assert len(snippet.split()) <= search.SNIPPET_WORDS + 2


def test_snippets_never_reveal_spoilers_or_heading_links(client):
    ReviewFactory(
        title="Twist",
        body="## Butler\n\nThe butler serves tea.\n\n<details><summary>Spoiler</summary>The butler did it.</details>",
    )
    (snippet,) = snippets(search_page(client, "butler"))
    assert "did it" not in snippet
    assert snippet == "<mark>Butler</mark> The <mark>butler</mark> serves tea."


# --- PostgreSQL's index ---


def test_search_runs_on_the_gin_indexes_on_postgresql():
    """PostgreSQL answers searches from the GIN indexes of migration 0004."""
    index_names = {"reviews_review": "review_search_idx", "reviews_film": "film_search_idx"}
    index_names["reviews_person"] = "person_search_idx"
    with connection.cursor() as cursor:
        indexes = {table: connection.introspection.get_constraints(cursor, table) for table in index_names}
    if connection.vendor != "postgresql":  # the SQLite fallback has no index to use, and gets none
        assert not any(name in indexes[table] for table, name in index_names.items())
        return
    assert all(indexes[table][name]["type"] == "gin" for table, name in index_names.items())

    film, author, published = FilmFactory(), UserFactory(), Review.Status.PUBLISHED
    Review.objects.bulk_create(
        Review(film=film, author=author, title=f"Review {n}", slug=f"r-{n}", standfirst="Fine.", status=published)
        for n in range(3000)
    )
    ReviewFactory(body="A zeppelin.")
    query = search.parse("zeppelin")
    assert [review.body for review in search.reviews(query)] == ["A zeppelin."]
    with connection.cursor() as cursor:
        # What autovacuum does in production: merge the index's pending entries, refresh statistics.
        cursor.execute("SELECT gin_clean_pending_list('review_search_idx'::regclass)")
        cursor.execute("ANALYZE reviews_review")
        # Test rows are tiny, so a sequential scan can cost the same; rule it out to see the index serve.
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = search.reviews(query)[:9].explain()
    assert "Bitmap Index Scan on review_search_idx" in plan, plan
    assert "Bitmap Index Scan on film_search_idx" in search.films(query)[:4].explain()
    assert "Bitmap Index Scan on person_search_idx" in search.people(query)[:4].explain()


def test_reviews_come_first_as_the_tabs_promise_and_thumbnails_are_small_renditions(
    client, settings, django_capture_on_commit_callbacks
):
    """On a phone the reviews come first, above films and people, as small thumbnails, not 1,600 px images."""
    with django_capture_on_commit_callbacks(execute=True):  # the renditions are made after the commit
        film = FilmFactory(title="Zeppelin", poster=image_file(size=(600, 900)), poster_alt="A poster")
        ReviewFactory(film=film, title="Zeppelin review", hero_image=image_file(size=(1600, 900)), hero_alt="A still")
    html = search_page(client, "zeppelin")
    assert html.index('id="search-listed">Reviews') < html.index('id="search-films">Films')
    thumbnail = re.search(r'<picture>\s*<source type="image/webp" srcset="([^"]+)" sizes="([^"]+)">', html)
    assert thumbnail and "7.5rem" in thumbnail.group(2)
    assert " 480w" in thumbnail.group(1)  # the browser picks the smallest that fills 7.5rem
    assert html.count('<form class="site-search"') == 0  # one search box: the page's own
