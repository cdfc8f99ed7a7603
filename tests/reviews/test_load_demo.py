import io
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from reviews.models import Credit, Film, Person, Review

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())


def snapshot():
    return {
        "films": list(Film.objects.values_list("slug", "poster")),
        "people": Person.objects.count(),
        "credits": Credit.objects.count(),
        "reviews": list(Review.objects.order_by("pk").values_list("slug", "updated_at", "body_html")),
        "files": sorted(p.name for p in Path(django_settings.MEDIA_ROOT).rglob("*") if p.is_file()),
    }


def test_loading_the_demo_twice_changes_nothing(demo):
    before = snapshot()
    call_command("load_demo", stdout=io.StringIO())
    assert snapshot() == before


def test_demo_has_ballerina_with_its_real_credits_and_two_reviews(demo, client):
    film = Film.objects.get(slug="ballerina-2025")
    cast = dict(film.credits.filter(job=Credit.Job.CAST).values_list("person__name", "character"))
    assert cast["Ana de Armas"] == "Eve Macarro"
    assert cast["Anjelica Huston"] == "The Director"
    assert cast["Norman Reedus"] == "Daniel Pine"
    assert film.credits.get(job=Credit.Job.DIRECTOR).person.name == "Len Wiseman"
    assert film.franchise.name == "John Wick"
    assert {"John Wick", "Atomic Blonde", "The Villainess"} <= set(Film.objects.values_list("title", flat=True))
    reviews = film.reviews.published()
    assert reviews.count() == 2
    scored = reviews.filter(aspects__isnull=False).distinct().get()
    assert {"Direction", "Acting", "Writing", "Cinematography", "Special effects"} <= set(
        scored.aspects.values_list("name", flat=True)
    )
    html = client.get(reviews.get(rating=4).get_absolute_url()).content.decode()
    assert "Rating: 4 out of 5." in html
    assert client.get("/").content.decode().count('class="card"') >= 5


def test_demo_images_are_drawn_locally_and_described(demo):
    """Stills, posters and portraits drawn with Pillow, each said to be an illustration."""
    reviews = Review.objects.published()
    assert reviews.filter(hero_image="").exists()  # one is shown with its film's poster instead
    for review in reviews.exclude(hero_image=""):
        assert Path(review.hero_image.path).is_file()
        assert review.hero_alt.startswith("Illustration drawn for the demo, in the manner of a film still: ")
        assert review.hero_width == 1600
    for film in Film.objects.all():
        assert Path(film.poster.path).is_file() and film.poster_width == 600
        assert film.poster_alt.startswith("Illustrated poster drawn for the demo, not the film's real one:")
    portraits = Person.objects.exclude(photo="")
    assert portraits.count() >= 5
    for person in portraits:
        assert f"not a photograph of {person.name}" in person.photo_alt


@pytest.mark.parametrize(
    ("username", "password", "group"),
    [("ava", "ava-writes-reviews", "Authors"), ("milo", "milo-moderates", "Moderators")],
)
def test_demo_logins_work_for_the_author_and_the_moderator(demo, client, username, password, group):
    login = {"username": username, "password": password, "next": "/admin/"}
    assert client.post(reverse("admin:login"), login)["Location"] == "/admin/"  # the admin's own login form
    user = get_user_model().objects.get(pk=client.session["_auth_user_id"])
    assert user.username == username and user.is_staff and user.groups.filter(name=group).exists()
    assert client.get("/admin/").status_code == 200


def test_demo_refuses_to_create_public_passwords_on_a_production_site(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=1"):
        call_command("load_demo")
    assert not Review.objects.exists()


def test_demo_has_an_article_about_no_single_film(demo, client):
    article = Review.objects.published().get(film=None)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Five stairwell fights, ranked" in html and 'class="mention"' in html
    assert '<p class="card-film">Article</p>' in client.get("/").content.decode()
