"""Finding a post's film the way a person would: titles as bloggers write them, categories, links."""

import time

import pytest

from reviewblog.wordpress import wxr
from reviewblog.wordpress.films import SURE, Catalogue, guess_film, title_key
from tests.factories import FilmFactory

pytestmark = pytest.mark.django_db

REVIEW_BODY = "<h2>Direction</h2><p>Measured.</p><p>Rating: 4 out of 5.</p>"


def guess(title, body=REVIEW_BODY, terms=(), header_terms=()):
    item = wxr.Item(id=1, title=title, content=body, terms=list(terms))
    return guess_film(item, Catalogue(), {(t.kind, t.slug): t for t in header_terms})


@pytest.mark.parametrize(
    "one, other",
    [
        ("the dark knight", "The Dark Knight"),
        ("Les Miserables", "Les Misérables"),
        ("Samourai", "Le Samouraï"),
        ("L'Avventura", "Avventura"),
        ("Die Hard", "Hard"),  # symmetric: both sides lose the article, so they still meet
        ("Crouching Tiger Hidden Dragon", "Crouching Tiger, Hidden Dragon"),
        ("Fast & Furious", "Fast and Furious"),
        ("TÁR", "Tár"),
    ],
)
def test_titles_match_whatever_the_case_accents_punctuation_or_leading_article(one, other):
    assert title_key(one) == title_key(other)


def test_different_films_stay_different():
    assert title_key("Heat") != title_key("Heathers")
    assert title_key("A") == "a"  # a one-word title keeps its only word


@pytest.mark.parametrize(
    "title, film, year",
    [
        ("Heat (1995): Mann's city of ghosts", "Heat", 1995),
        ("Past Lives [2023] – a review", "Past Lives", 2023),
        ("Review: Dune: Part Two (2024)", "Dune: Part Two", 2024),
        ("Nope, 2022", "Nope", 2022),
        ("Tár, 2022 – film review", "Tár", 2022),
        ("Atomic Blonde: the stairwell", "Atomic Blonde", None),
        ("Le Samouraï, cinquante ans après", "Le Samouraï", None),
        ("Crouching Tiger, Hidden Dragon", "Crouching Tiger, Hidden Dragon", None),
        ("Film review: Oppenheimer", "Oppenheimer", None),
        ("Mini-review | Perfect Days (2023)", "Perfect Days", 2023),
        ("the dark knight", "The Dark Knight", None),  # a film is made with its title as a catalogue writes it
        ("once upon a time in the west", "Once Upon a Time in the West", None),
    ],
)
def test_the_film_and_year_are_read_out_of_a_bloggers_title(title, film, year):
    result = guess(title)
    assert (result.title, result.year) == (film, year)
    assert result.film is None and not result.sure  # nothing in the catalogue: made, and checked by a person


def test_a_catalogue_film_is_found_by_any_clue_and_is_sure():
    heat = FilmFactory(title="Heat", release_year=1995)
    FilmFactory(title="Heat", release_year=1986)  # the other Heat
    for title in ("Heat (1995): Mann's city of ghosts", "heat, 1995", "Review – Heat [1995]"):
        result = guess(title)
        assert result.film == heat and result.sure, title
    assert guess("Heat").film is None  # two Heats and no year: a person chooses
    body = '<p><a href="https://www.imdb.com/title/tt0113277/">Heat</a>, directed by Michael Mann (1995).</p>'
    linked = guess("Late to the party", body + REVIEW_BODY)
    assert linked.film == heat and linked.found_by == "an IMDb link"


def test_a_year_one_off_is_the_same_film_released_later_elsewhere():
    film = FilmFactory(title="Drive My Car", release_year=2021)
    assert guess("Drive My Car (2022)").film == film


def test_the_year_comes_from_a_tag_or_a_directed_by_line():
    assert guess("Oppenheimer", terms=[wxr.Term("post_tag", "films-of-2023", "Films of 2023")]).year == 2023
    body = "<p>Directed by Denis Villeneuve, 2024, 166 min.</p>" + REVIEW_BODY
    assert guess("Sand, at scale", body).year == 2024 or guess("Dune Part Two", body).year == 2024


def test_a_category_under_reviews_names_the_film():
    reviews = wxr.Term("category", "reviews", "Reviews")
    past_lives = wxr.Term("category", "past-lives", "Past Lives", parent="reviews")
    result = guess("Two lives, one bar", terms=[past_lives], header_terms=[reviews, past_lives])
    assert result.title == "Past Lives" and "category" in result.found_by
    drama = wxr.Term("category", "drama", "Drama")
    assert guess("Two lives, one bar", "<p>Talky.</p>", terms=[drama], header_terms=[drama]).title == ""


@pytest.mark.parametrize(
    "url, text, film, year",
    [
        ("https://letterboxd.com/film/perfect-days/", "Letterboxd", "Perfect Days", None),
        ("https://letterboxd.com/film/heat-1995/", "here", "Heat", 1995),
        ("https://en.wikipedia.org/wiki/Drive_(2011_film)", "this", "Drive", 2011),
        ("https://en.wikipedia.org/wiki/Past_Lives_(film)", "Wikipedia", "Past Lives", None),
        ("https://www.themoviedb.org/movie/792307-poor-things", "TMDB", "Poor Things", None),
        ("https://www.imdb.com/title/tt15239678/", "Dune: Part Two", "Dune: Part Two", None),
    ],
)
def test_a_film_database_link_names_the_film(url, text, film, year):
    result = guess("Why I keep going back", f'<p>See <a href="{url}">{text}</a>.</p>{REVIEW_BODY}')
    assert (result.title, result.year) == (film, year)


@pytest.mark.parametrize(
    "title, body",
    [
        ("My top 10 films of 2024", "<ol><li>One</li></ol>"),
        ("Festival diary: Berlinale, day three", "<p>Queues.</p>"),
        ("The best heist films, ranked", "<p>Many.</p>"),
        (
            "Three nights out",
            '<a href="https://www.imdb.com/title/tt1/">One</a> <a href="https://www.imdb.com/title/tt2/">Two</a>',
        ),
        ("On slowness", "<p>An essay about films that take their time.</p>"),
    ],
)
def test_a_post_about_no_single_film_gets_none(title, body):
    result = guess(title, body)
    assert result.film is None and result.title == ""


def test_a_list_is_surely_about_no_film_but_an_unclear_essay_is_left_to_a_person():
    assert guess("My top 10 films of 2024", "<p>x</p>").confidence >= SURE
    assert guess("On slowness", "<p>Thoughts.</p>").confidence < SURE


PATHOLOGICAL = {
    "unclosed tags": "<a href=",
    "unclosed database links": '<a href="https://www.imdb.com/title/tt1/">x',
    "directed by without a year": "Directed by someone, ",
    "brackets": "([",
    "separators": "a: b – ",
}


def seconds_to_guess(title, body):
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        guess(title, body)
        timings.append(time.perf_counter() - start)
    return min(timings)


@pytest.mark.parametrize("unit", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_pathological_posts_take_time_in_proportion_to_their_length(unit):
    """A 2 MB post of broken markup took 48 s before the patterns were bounded."""
    small = seconds_to_guess(unit * 100, unit * 1250)
    large = seconds_to_guess(unit * 800, unit * 10000)
    # Eight times the text: about eight times the time when linear, sixty-four when quadratic.
    assert large < 20 * small + 0.05, f"{small:.3f} s, then {large:.3f} s for eight times the text"


def test_a_category_that_is_its_own_ancestor_names_no_film_and_stops():
    loop_a = wxr.Term("category", "a", "Noir", parent="b")
    loop_b = wxr.Term("category", "b", "Neo-noir", parent="a")
    itself = wxr.Term("category", "c", "Crime", parent="c")
    result = guess("Two lives, one bar", terms=[loop_a, itself], header_terms=[loop_a, loop_b, itself])
    assert result.film is None  # no RecursionError: the import goes on
