import re
from decimal import Decimal

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.views.defaults import server_error

from reviews.models import Credit, Review
from tests.factories import (
    CreditFactory,
    FilmFactory,
    FranchiseFactory,
    GenreFactory,
    PersonFactory,
    ReviewAspectFactory,
    ReviewFactory,
    UserFactory,
    image_file,
)

pytestmark = pytest.mark.django_db


def review_url(review):
    return reverse("reviews:review_detail", args=[review.slug])


@pytest.fixture
def ballerina():
    film = FilmFactory(title="Ballerina", release_year=2025, synopsis="Eve Macarro hunts her father's killers.")
    CreditFactory(film=film, person=PersonFactory(name="Len Wiseman"), job=Credit.Job.DIRECTOR, character="")
    CreditFactory(film=film, person=PersonFactory(name="Ana de Armas"), character="Eve Macarro", billing=10)
    CreditFactory(film=film, person=PersonFactory(name="Keanu Reeves"), character="John Wick", billing=11)
    return film


# --- Home ---


def test_home_lists_published_reviews_newest_first_and_hides_drafts_and_future_ones(client):
    old = ReviewFactory(title="Older review", published_at=timezone.now() - timezone.timedelta(days=9))
    new = ReviewFactory(title="Newer review", standfirst="Sharp and sad.")
    ReviewFactory(title="Secret draft", status=Review.Status.DRAFT)
    ReviewFactory(title="Scheduled piece", published_at=timezone.now() + timezone.timedelta(days=1))
    html = client.get(reverse("reviews:home")).content.decode()
    assert html.index(new.title) < html.index(old.title)
    assert "Sharp and sad." in html
    assert "Rating: 4 out of 5." in html
    assert "Secret draft" not in html
    assert "Scheduled piece" not in html


def test_home_paginates(client, settings):
    settings.REVIEWS_PER_PAGE = 2
    ReviewFactory.create_batch(5)
    first = client.get(reverse("reviews:home"))
    assert first.content.decode().count('class="card"') == 2
    assert "Page 1 of 3" in first.content.decode()
    last = client.get(reverse("reviews:home"), {"page": 3})
    assert last.content.decode().count('class="card"') == 1


def test_home_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries, settings):
    ReviewFactory.create_batch(30, hero_image=image_file(), hero_alt="A still")
    # 1 for the state of the reviews (the page cache's key), 2 to count and fetch one page of cards.
    with django_assert_max_num_queries(3):
        response = client.get(reverse("reviews:home"))
    assert response.content.decode().count('class="card"') == settings.REVIEWS_PER_PAGE
    with django_assert_max_num_queries(1):  # the next reader gets the same copy from the cache
        again = client.get(reverse("reviews:home"))
    assert again.content == response.content


# --- Review page ---


def test_review_page_shows_everything_a_reader_expects(client, ballerina):
    review = ReviewFactory(
        film=ballerina,
        title="Grief with a gun",
        body="## Acting\n\nDe Armas is **superb**.",
        rating=Decimal("4"),
        hero_image=image_file(size=(160, 90)),
        hero_alt="Eve points a shotgun, her face streaked with blood, against a fiery orange glow.",
        hero_caption="Ana de Armas as Eve.",
    )
    ReviewAspectFactory(review=review, name="Direction", score=Decimal("4.5"))
    response = client.get(review_url(review))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'alt="Eve points a shotgun, her face streaked with blood, against a fiery orange glow."' in html
    assert 'width="160" height="90"' in html
    assert "<figcaption>Ana de Armas as Eve.</figcaption>" in html
    assert f'href="{ballerina.get_absolute_url()}">Ballerina</a>' in html
    assert "(2025)" in html
    assert ">Len Wiseman</a>" in html and ">Ana de Armas</a>" in html and ">Keanu Reeves</a>" in html
    assert '<h2 id="acting">' in html and "<strong>superb</strong>" in html
    assert "Scorecard" in html and "Direction" in html and "Rating: 4.5 out of 5." in html
    assert "Rating: 4 out of 5." in html


def test_review_page_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    saga = FranchiseFactory()
    film = FilmFactory(franchise=saga)
    CreditFactory.create_batch(50, film=film)
    others = FilmFactory.create_batch(10, franchise=saga)
    body = " ".join(f"[[{other.title}]]" for other in others)
    review = ReviewFactory(film=film, body=body)
    ReviewAspectFactory.create_batch(5, review=review, name=factory_names())
    # 1 checking whether the reader's copy is current; 6 for the review, film, credits and mentions; 1 for the
    # rest of the franchise; 3 for the comment thread (counts, one page of threads, their replies).
    with django_assert_max_num_queries(11):
        response = client.get(review_url(review))
    html = response.content.decode()
    assert html.count("<tr>") == 6  # five aspects and the overall line
    assert html.count('class="mention"') == 10


def factory_names():
    import factory

    return factory.Iterator(["Direction", "Acting", "Writing", "Cinematography", "Special effects"])


@pytest.mark.parametrize(
    "hidden",
    [{"status": Review.Status.DRAFT}, {"published_at": timezone.now() + timezone.timedelta(days=2)}],
    ids=["draft", "scheduled"],
)
def test_public_never_sees_drafts_or_scheduled_reviews(client, hidden):
    review = ReviewFactory(**hidden)
    assert client.get(review_url(review)).status_code == 404


def test_author_previews_their_own_draft_on_the_public_design(client, author):
    review = ReviewFactory(author=author, status=Review.Status.DRAFT, title="Work in progress")
    client.force_login(author)
    response = client.get(review_url(review))
    assert response.status_code == 200
    assert "Draft preview" in response.content.decode()


def test_an_author_cannot_preview_another_authors_draft_but_an_editor_can(client, other_author, editor):
    review = ReviewFactory(status=Review.Status.DRAFT)
    client.force_login(other_author)
    assert client.get(review_url(review)).status_code == 404
    client.force_login(editor)
    assert client.get(review_url(review)).status_code == 200


def test_readers_who_are_not_staff_cannot_preview(client):
    reader = UserFactory(username="reader")
    review = ReviewFactory(status=Review.Status.DRAFT)
    client.force_login(reader)
    assert client.get(review_url(review)).status_code == 404


# --- Film, person, genre, franchise, archive ---


def test_film_page_shows_credits_by_job_published_reviews_and_their_average(client, ballerina):
    ReviewFactory(film=ballerina, rating=Decimal("4"), title="First take")
    ReviewFactory(film=ballerina, rating=Decimal("4.5"), title="Second take")
    ReviewFactory(film=ballerina, rating=Decimal("1"), title="Unpublished take", status=Review.Status.DRAFT)
    html = client.get(ballerina.get_absolute_url()).content.decode()
    assert "Eve Macarro hunts her father" in html
    assert html.index("<h3>Director</h3>") < html.index("<h3>Cast</h3>")
    assert 'Ana de Armas</a><span class="role">as Eve Macarro</span>' in html
    assert "First take" in html and "Second take" in html and "Unpublished take" not in html
    assert "Rating: 4.3 out of 5." in html  # (4 + 4.5) / 2, to one decimal
    assert "average of 2 reviews" in html


def test_film_page_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    film = FilmFactory(franchise=FranchiseFactory())
    film.genres.add(GenreFactory(), GenreFactory())
    CreditFactory.create_batch(50, film=film)
    ReviewFactory.create_batch(30, film=film)
    for other in FilmFactory.create_batch(10, franchise=film.franchise):
        ReviewFactory(film=other, body=f"Better than [[{film.title}]].")
    # 5 for the film, credits and reviews; 1 for reviews that mention it; 1 for the rest of the franchise.
    with django_assert_max_num_queries(7):
        response = client.get(film.get_absolute_url())
    html = response.content.decode()
    assert html.count('class="card"') == 30
    assert html.count("— a review of") == 10


def test_person_page_lists_filmography_by_job_with_characters(client):
    person = PersonFactory(name="Keanu Reeves", bio="Canadian actor.")
    CreditFactory(person=person, film=FilmFactory(title="John Wick", release_year=2014), character="John Wick")
    CreditFactory(person=person, film=FilmFactory(title="Ballerina", release_year=2025), character="John Wick")
    CreditFactory(person=person, film=FilmFactory(title="Passion Project"), job=Credit.Job.PRODUCER, character="")
    html = client.get(person.get_absolute_url()).content.decode()
    assert "Canadian actor." in html
    assert html.index("<h3>Cast</h3>") < html.index("<h3>Producer</h3>")
    assert html.index("Ballerina") < html.index("John Wick</a>")  # newest first
    assert '<span class="muted">as</span> John Wick' in html


def test_person_page_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    person = PersonFactory()
    CreditFactory.create_batch(50, person=person)
    ReviewFactory.create_batch(10, body=f"With [[{person.name}]] at the top of the bill.")
    # 2 for the person and their credits; 1 for the reviews that mention them.
    with django_assert_max_num_queries(3):
        response = client.get(person.get_absolute_url())
    html = response.content.decode()
    assert html.count('<li><span class="year">') == 50  # the filmography, one row per credit
    assert html.count("— a review of") == 10


def test_genre_page_lists_its_films_and_reviews(client, django_assert_max_num_queries, settings):
    genre = GenreFactory(name="Action")
    films = FilmFactory.create_batch(10)
    for film in films:
        film.genres.add(genre)
        ReviewFactory.create_batch(3, film=film)
    ReviewFactory(title="A review of a comedy")
    with django_assert_max_num_queries(5):  # its stamp (page cache), the genre, the count, the reviews, the films
        html = client.get(genre.get_absolute_url()).content.decode()
    assert "A review of a comedy" not in html
    assert films[0].title in html
    assert html.count('class="card"') == settings.REVIEWS_PER_PAGE  # 30 reviews, first page


def test_franchise_page_lists_films_in_release_order_and_their_reviews(client, django_assert_max_num_queries):
    saga = FranchiseFactory(name="John Wick")
    late = FilmFactory(title="Ballerina", release_year=2025, franchise=saga)
    early = FilmFactory(title="John Wick", release_year=2014, franchise=saga)
    ReviewFactory.create_batch(20, film=early)
    ReviewFactory(film=late, title="Ballerina review")
    with django_assert_max_num_queries(5):  # its stamp (page cache), the franchise, the films, the count, the reviews
        html = client.get(saga.get_absolute_url()).content.decode()
    assert "From the World of John Wick" in html
    assert html.index("John Wick</a> <span") < html.index("Ballerina</a>")
    assert "Ballerina review" in html


def test_archive_groups_published_reviews_by_month(client, django_assert_max_num_queries):
    tz = timezone.get_current_timezone()
    ReviewFactory(title="June piece", published_at=timezone.datetime(2025, 6, 8, 12, tzinfo=tz))
    ReviewFactory(title="Another June piece", published_at=timezone.datetime(2025, 6, 20, 12, tzinfo=tz))
    ReviewFactory(title="March piece", published_at=timezone.datetime(2025, 3, 30, 12, tzinfo=tz))
    ReviewFactory(title="Draft", status=Review.Status.DRAFT, published_at=timezone.datetime(2024, 1, 2, tzinfo=tz))
    with django_assert_max_num_queries(2):  # the stamp of every list (page cache), the months
        html = client.get(reverse("reviews:archive")).content.decode()
    assert 'June</a> <span class="archive-bar" style="--share: 1.0">2 reviews' in html
    assert 'March</a> <span class="archive-bar" style="--share: 0.5">1 review' in html
    assert "2024" not in html
    june = client.get(reverse("reviews:archive_month", args=[2025, 6])).content.decode()
    assert "June piece" in june and "Another June piece" in june and "March piece" not in june
    year = client.get(reverse("reviews:archive_year", args=[2025])).content.decode()
    assert "March piece" in year


def test_list_pages_without_reviews_say_so(client):
    genre, saga = GenreFactory(name="Western"), FranchiseFactory(name="Dollars")
    assert "No reviews in this genre yet." in client.get(genre.get_absolute_url()).content.decode()
    assert "No reviews of these films yet." in client.get(saga.get_absolute_url()).content.decode()
    march = client.get(reverse("reviews:archive_month", args=[2025, 3])).content.decode()
    archive = reverse("reviews:archive")
    assert f'No reviews were published in March 2025. <a href="{archive}">See every month</a>.' in march


@pytest.mark.parametrize("path", ["/archive/2025/13/", "/archive/1066/", "/films/nothing-here/", "/no/such/page/"])
def test_missing_pages_get_a_friendly_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "This reel is missing" in response.content.decode()


def test_server_errors_get_a_friendly_page():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "The projector jammed" in response.content.decode()


def test_pages_work_without_javascript(client, ballerina):
    review = ReviewFactory(film=ballerina)
    for url in [reverse("reviews:home"), review_url(review), ballerina.get_absolute_url()]:
        scripts = re.findall(r"<script[^>]*>", client.get(url).content.decode())
        # Data for search engines, the comment form's token fetch (comments work without it too), and the
        # theme toggle (hidden without JavaScript, when the system's theme applies) with its stored choice.
        allowed = {
            '<script type="application/ld+json">',
            '<script src="/static/js/comment-form.js" defer>',
            '<script src="/static/js/theme.js" defer>',
            "<script>",
        }
        assert set(scripts) <= allowed


@pytest.mark.parametrize(("first", "last", "shown"), [("Ava", "Marlowe", "Ava Marlowe"), ("", "", "ava")])
def test_an_author_has_one_name_on_the_page_in_its_structured_data_and_in_the_feed(client, first, last, shown):
    """Their full name, or their login when they gave none."""
    author = UserFactory(username="ava", first_name=first, last_name=last, group="Authors")
    review = ReviewFactory(author=author)
    page = client.get(review.get_absolute_url()).content.decode()
    assert f'rel="author">{shown}</a>' in page
    assert f'"@type": "Person", "name": "{shown}"' in page
    feed = client.get(reverse("reviews:feed_atom")).content.decode()
    assert f"<author><name>{shown}</name>" in feed
