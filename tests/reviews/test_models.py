from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from reviews.models import Credit, Review, ReviewAspect
from tests.factories import (
    CreditFactory,
    FilmFactory,
    FranchiseFactory,
    PersonFactory,
    ReviewAspectFactory,
    ReviewFactory,
    image_file,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("rating", ["0.5", "1", "2.5", "4", "5", None])
def test_ratings_in_half_steps_from_half_to_five_are_stored(rating):
    review = ReviewFactory(rating=rating)
    review.refresh_from_db()
    assert review.rating == (Decimal(rating) if rating else None)


@pytest.mark.parametrize("rating", ["0", "4.3", "5.5", "-1"])
def test_database_refuses_a_rating_off_the_half_steps(rating):
    review = ReviewFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.filter(pk=review.pk).update(rating=Decimal(rating))


def test_form_validation_explains_a_bad_rating():
    review = ReviewFactory.build(rating=Decimal("4.3"))
    with pytest.raises(ValidationError) as error:
        review.full_clean(exclude=["film", "author"])
    assert "rating" in error.value.message_dict


@pytest.mark.parametrize("score", ["0", "3.7", "6"])
def test_database_refuses_an_aspect_score_off_the_half_steps(score):
    aspect = ReviewAspectFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewAspect.objects.filter(pk=aspect.pk).update(score=Decimal(score))


def test_an_aspect_appears_once_per_review():
    aspect = ReviewAspectFactory(name=ReviewAspect.Name.ACTING)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewAspectFactory(review=aspect.review, name=ReviewAspect.Name.ACTING)


def test_hero_image_without_alt_text_is_refused_by_validation_and_database():
    review = ReviewFactory.build(hero_image=image_file(), hero_alt="  ")
    with pytest.raises(ValidationError) as error:
        review.full_clean(exclude=["film", "author"])
    assert "hero_alt" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewFactory(hero_image=image_file(), hero_alt="")


def test_hero_image_dimensions_are_recorded_for_layout():
    review = ReviewFactory(hero_image=image_file(size=(320, 180)), hero_alt="A test card")
    review.refresh_from_db()
    assert (review.hero_width, review.hero_height) == (320, 180)


def test_slugs_are_made_from_titles_and_kept_unique():
    first = ReviewFactory(title="Grief with a gun")
    second = ReviewFactory(title="Grief with a gun")
    assert first.slug == "grief-with-a-gun"
    assert second.slug == "grief-with-a-gun-2"
    film = FilmFactory(title="Ballerina", release_year=2025)
    assert film.slug == "ballerina-2025"


def test_markdown_is_rendered_once_on_save_including_partial_saves():
    review = ReviewFactory(body="## Direction\n\nTaut.")
    assert '<h2 id="direction">' in review.body_html
    review.body = "## Acting\n\nSuperb."
    review.save(update_fields=["body"])
    review.refresh_from_db()
    assert '<h2 id="acting">' in review.body_html
    assert "Direction" not in review.body_html


def test_published_excludes_drafts_and_future_dates():
    live = ReviewFactory()
    ReviewFactory(status=Review.Status.DRAFT)
    ReviewFactory(published_at=timezone.now() + timezone.timedelta(hours=1))
    assert list(Review.objects.published()) == [live]


@pytest.mark.parametrize("status", Review.Status.values)
@pytest.mark.parametrize("days", [-365, -1, 0, 1, 365])
def test_a_review_is_public_exactly_when_the_published_queryset_lists_it(status, days):
    """One rule: Review.is_public (on the instance) and Review.published_q (the filter) always agree."""
    review = ReviewFactory(status=status, published_at=timezone.now() + timezone.timedelta(days=days))
    listed = Review.objects.published().filter(pk=review.pk).exists()
    assert review.is_public is listed
    assert listed is (status == Review.Status.PUBLISHED and days <= 0)
    scheduled = Review.objects.scheduled().filter(pk=review.pk).exists()
    assert scheduled is (status == Review.Status.PUBLISHED and days > 0)


def test_a_film_counts_only_the_public_reviews_of_its_franchise_siblings():
    franchise = FranchiseFactory()
    saga, sibling = FilmFactory(franchise=franchise), FilmFactory(franchise=franchise)
    ReviewFactory(film=sibling)
    ReviewFactory(film=sibling, status=Review.Status.DRAFT)
    ReviewFactory(film=sibling, published_at=timezone.now() + timezone.timedelta(days=1))
    assert [(film, film.review_count) for film in saga.more_from_franchise()] == [(sibling, 1)]


def test_rating_text_reads_like_the_blog():
    assert ReviewFactory.build(rating=Decimal("4.0")).rating_text == "Rating: 4 out of 5."
    assert ReviewFactory.build(rating=Decimal("3.5")).rating_text == "Rating: 3.5 out of 5."
    assert ReviewFactory.build(rating=None).rating_text == ""


def test_one_person_can_hold_several_jobs_on_a_film_but_not_the_same_one_twice():
    film, person = FilmFactory(), PersonFactory(name="Jung Byung-gil")
    CreditFactory(film=film, person=person, job=Credit.Job.DIRECTOR, character="")
    CreditFactory(film=film, person=person, job=Credit.Job.WRITER, character="")
    assert film.credits.count() == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditFactory(film=film, person=person, job=Credit.Job.WRITER, character="")


def test_credits_are_grouped_by_job_in_a_sensible_order():
    film = FilmFactory()
    CreditFactory(film=film, job=Credit.Job.CAST, billing=1)
    CreditFactory(film=film, job=Credit.Job.CINEMATOGRAPHER, character="", billing=3)
    CreditFactory(film=film, job=Credit.Job.DIRECTOR, character="", billing=2)
    assert [label for label, _ in film.credits_by_job()] == ["Director", "Cast", "Cinematographer"]


def test_only_cast_credits_name_a_character():
    credit = CreditFactory.build(film=FilmFactory(), person=PersonFactory(), job=Credit.Job.DIRECTOR, character="Eve")
    with pytest.raises(ValidationError) as error:
        credit.full_clean()
    assert "character" in error.value.message_dict
