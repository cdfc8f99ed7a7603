"""`manage.py load_demo`: the demo site `make run` shows, loaded as a developer would, twice."""

import io
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from comments.models import Comment, CommentEvent, CommentRule
from reviewblog.demo import readers
from reviews.models import Credit, Film, Person, Review

pytestmark = pytest.mark.django_db
Status, Kind = Comment.Status, CommentEvent.Kind


def run(*args):
    """Run load_demo; returns what it printed."""
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    return run()


def snapshot():
    return {
        "films": list(Film.objects.values_list("slug", "poster")),
        "people": Person.objects.count(),
        "credits": Credit.objects.count(),
        "reviews": list(Review.objects.order_by("pk").values_list("slug", "updated_at", "body_html")),
        "files": sorted(p.name for p in Path(django_settings.MEDIA_ROOT).rglob("*") if p.is_file()),
        "comments": list(Comment.objects.order_by("pk").values_list("pk", "status", "parent_id", "body")),
        "events": CommentEvent.objects.count(),
        "rules": CommentRule.objects.count(),
    }


def test_loading_the_demo_twice_changes_nothing(demo):
    before = snapshot()

    out = run()

    assert snapshot() == before
    assert "Demo content ready (0 new review(s)).\n" in out
    assert "Demo comments ready (0 new comments).\n" in out


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


def test_demo_refuses_to_create_public_passwords_on_a_production_site_unless_asked(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG=1"):
        run()
    assert not Review.objects.exists() and not Comment.objects.exists()

    run("--allow-demo-logins")
    assert Review.objects.exists()
    assert Comment.objects.count() == len(readers.COMMENTS)


def test_demo_has_an_article_about_no_single_film(demo, client):
    article = Review.objects.published().get(film=None)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Five stairwell fights, ranked" in html and 'class="mention"' in html
    assert '<p class="card-film">Article</p>' in client.get("/").content.decode()


# --- The readers' comments ---


def test_demo_comments_hold_an_approved_thread_three_levels_deep(demo, client):
    deepest = Comment.objects.public().get(depth=2)
    reply = deepest.parent
    top = reply.parent

    assert (reply.status, top.status, top.parent) == (Status.APPROVED, Status.APPROVED, None)
    assert top.review.slug == readers.GRIEF_WITH_A_GUN
    page = client.get(top.review.get_absolute_url()).content.decode()
    assert all(c.author_name in page for c in (top, reply, deepest))
    assert f"Demo comments ready ({len(readers.COMMENTS)} new comments).\n" in demo


def test_demo_comments_give_the_moderator_a_pending_comment_and_a_spam(demo, client):
    pending = Comment.objects.pending().get()
    spam = Comment.objects.get(status=Status.SPAM)

    assert pending.why_held() == ["first comment from this address"]
    assert spam.why_held() == ["Akismet: spam"]
    page = client.get(pending.review.get_absolute_url()).content.decode()
    assert pending.author_name not in page
    assert not Comment.objects.exclude(events__kind=Kind.SUBMITTED).exists()


def test_the_demo_without_comments_has_no_readers_until_loaded_again(settings):
    settings.DEBUG = True

    out = run("--no-comments")

    assert Review.objects.published().filter(slug=readers.GRIEF_WITH_A_GUN).exists()
    assert not Comment.objects.exists() and not CommentRule.objects.exists()
    assert "Demo comments" not in out
    run()
    assert Comment.objects.count() == len(readers.COMMENTS)
    assert CommentRule.objects.count() == len(readers.RULES)


def test_demo_comments_skip_a_demo_review_taken_down(settings):
    settings.DEBUG = True
    run("--no-comments")
    Review.objects.filter(slug=readers.SLOWER_AND_BETTER).update(status=Review.Status.DRAFT)

    out = run()

    assert f"Skipped the comments of unpublished reviews: {readers.SLOWER_AND_BETTER}." in out
    assert not Comment.objects.filter(review__slug=readers.SLOWER_AND_BETTER).exists()
    assert Comment.objects.filter(review__slug=readers.GRIEF_WITH_A_GUN).count() == sum(
        data["review"] == readers.GRIEF_WITH_A_GUN for data in readers.COMMENTS
    )
