"""A real film blog moves in: every public post stays public, at its old address, on the film a reader
would name, whatever its title looks like; and a second import changes nothing."""

from io import StringIO

import pytest
from django.core.management import call_command

from comments.models import Comment
from reviewblog.models import ImportedItem, OldLink
from reviews.models import Film, Review
from reviews.models.review import Review as ReviewModel
from tests.factories import FilmFactory

from .film_blog import CATALOGUE, POSTS, permalink, write_export

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(db):
    return {title: FilmFactory(title=title, release_year=year) for title, year in CATALOGUE}


@pytest.fixture
def export(tmp_path):
    return write_export(tmp_path / "cinephile.xml")


def run(export, *args) -> str:
    out = StringIO()
    call_command("import_wordpress", str(export), *args, stdout=out)
    return out.getvalue()


def review_of(post) -> Review:
    return ImportedItem.objects.get(kind="post", source_id=str(post.id)).target


def state() -> dict:
    """Everything a reader or an editor would see of the import, to compare two runs."""
    reviews = Review.objects.order_by("pk").values_list(
        "pk", "title", "slug", "status", "published_at", "film_id", "film_to_check", "body", "rating"
    )
    return {
        "reviews": list(reviews),
        "films": list(Film.objects.order_by("pk").values_list("pk", "title", "release_year", "slug")),
        "links": list(OldLink.objects.order_by("path").values_list("path", "object_id", "url", "suffix")),
        "comments": list(Comment.objects.order_by("pk").values_list("pk", "review_id", "status", "body")),
    }


def test_every_public_post_stays_public_on_the_film_a_reader_would_name(catalogue, export, client):
    report = run(export, "--create-films")
    for post in POSTS:
        review = review_of(post)
        assert review.status == ("draft" if post.status == "draft" else "published"), post.title
        if post.status == "publish":
            assert review.is_public, post.title
            assert client.get(review.get_absolute_url()).status_code == 200, post.title
        if post.film is None:
            assert review.film is None, post.title
        elif post.status != "draft":
            assert review.film is not None, post.title
            assert (review.film.title, review.film.release_year) == (post.film, post.year), post.title
    # Films in the catalogue are linked, not made again; the others are made once each, with their year.
    assert review_of(POSTS[0]).film == catalogue["Heat"]
    assert Film.objects.filter(title="Crouching Tiger, Hidden Dragon").count() == 1
    assert Film.objects.filter(title="Collateral").count() == 1  # named by post 102 and linked by a list
    assert "Films to check" in report and "Posts about no single film (published as articles): 3" in report


def test_found_in_the_catalogue_is_sure_and_a_made_film_is_flagged_for_an_editor(catalogue, export):
    run(export, "--create-films")
    by_id = {post.id: review_of(post) for post in POSTS}
    assert not by_id[101].film_to_check  # Heat (1995): in the catalogue with its year
    assert not by_id[109].film_to_check  # "the dark knight": the catalogue's, whatever the case
    assert by_id[103].film_to_check  # Past Lives: made from the title, a person should look
    assert by_id[118].film.release_year is None and by_id[118].film.year_label == "year unknown"
    assert not by_id[119].film_to_check  # a top 10 list is surely about no single film
    assert (
        Review.objects.filter(film_to_check=True).count()
        == len([p for p in POSTS if p.film and p.film not in catalogue and p.status != "draft"]) + 2
    )  # the draft (Challengers) is a guess too, and so is an essay whose title says nothing


def test_without_create_films_a_post_whose_film_is_missing_is_public_without_one(catalogue, export, client):
    report = run(export)
    past_lives = review_of(POSTS[2])
    assert past_lives.is_public and past_lives.film is None and past_lives.film_to_check
    assert "“Past Lives” (2023), not in the catalogue: published without a film" in report
    page = client.get(past_lives.get_absolute_url())
    assert page.status_code == 200 and "Article" in page.text
    assert not Film.objects.filter(title="Past Lives").exists()


def test_every_old_permalink_answers_301_to_its_review(catalogue, export, client):
    run(export, "--create-films")
    for post in POSTS:
        url = review_of(post).get_absolute_url()
        for old in (permalink(post), f"/?p={post.id}"):
            response = client.get(old)
            assert response.status_code == 301 and response["Location"] == url, (post.title, old)
    # A category that named the film now leads to the film; "Reviews" and a year to the archive.
    zone = Film.objects.get(title="The Zone of Interest")
    assert client.get("/category/reviews/the-zone-of-interest/")["Location"] == zone.get_absolute_url()
    assert client.get("/category/reviews/")["Location"] == "/archive/"
    assert client.get("/tag/films-of-2023/")["Location"] == "/archive/2023/"


def test_comments_come_along_on_published_posts(catalogue, export):
    run(export, "--create-films")
    for post in POSTS:
        review = review_of(post)
        assert review.comments.count() == post.comments
    assert Review.objects.get(pk=review_of(POSTS[0]).pk).comment_count == 1


def test_a_second_import_changes_nothing(catalogue, export):
    run(export, "--create-films")
    before = state()
    report = run(export, "--create-films")
    assert state() == before
    assert "films: " not in report  # no film made the second time


def test_an_editor_s_choice_of_film_survives_the_next_import(catalogue, export):
    run(export, "--create-films")
    review = ReviewModel.objects.get(pk=review_of(POSTS[2]).pk)  # Past Lives, guessed
    review.film, review.film_to_check = catalogue["Heat"], False
    review.save()
    run(export, "--create-films")
    review.refresh_from_db()
    assert (review.film, review.film_to_check) == (catalogue["Heat"], False)


def test_posts_left_on_the_old_placeholder_film_are_matched_again(catalogue, export):
    """Earlier versions parked unmatched posts, as drafts, on a placeholder film."""
    run(export)
    placeholder = Film.objects.create(title="Film not yet chosen", release_year=1888)
    ImportedItem.objects.create(
        source="wordpress:https://cinephile.example", kind="film", source_id="placeholder", target=placeholder
    )
    Review.objects.filter(pk=review_of(POSTS[0]).pk).update(film=placeholder, status="draft")
    run(export)
    heat = review_of(POSTS[0])
    assert heat.film == catalogue["Heat"] and heat.is_public
