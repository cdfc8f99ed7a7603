import io
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from comments.models import Comment
from reviews.models import Credit, Film, Franchise, Genre, Person, Review, ReviewAspect


def image_file(name="image.jpg", size=(64, 40), fmt="JPEG", color="orange"):
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=fmt)
    return ContentFile(out.getvalue(), name=name)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "pass-word-123")

    @factory.post_generation
    def group(user, create, extracted, **kwargs):
        if extracted:
            user.is_staff = True
            user.save()
            user.groups.add(Group.objects.get(name=extracted))
        elif create:
            user.save()


class GenreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Genre

    name = factory.Sequence(lambda n: f"Genre {n}")


class FranchiseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Franchise

    name = factory.Sequence(lambda n: f"Saga {n}")


class FilmFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Film

    title = factory.Sequence(lambda n: f"Film {n}")
    release_year = 2017
    runtime = 110
    synopsis = "Somebody wants something, and somebody else is in the way."


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"Person {n}")
    bio = "Works in film."


class CreditFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Credit

    film = factory.SubFactory(FilmFactory)
    person = factory.SubFactory(PersonFactory)
    job = Credit.Job.CAST
    character = factory.Sequence(lambda n: f"Character {n}")
    billing = factory.Sequence(lambda n: n)


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    film = factory.SubFactory(FilmFactory)
    author = factory.SubFactory(UserFactory, group="Authors")
    title = factory.Sequence(lambda n: f"Review number {n}")
    standfirst = "A one-line verdict."
    body = "## Direction\n\nConfident and *stylish*."
    rating = Decimal("4")
    status = Review.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timezone.timedelta(days=1))


class ReviewAspectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewAspect

    review = factory.SubFactory(ReviewFactory)
    name = ReviewAspect.Name.ACTING
    score = Decimal("4.5")


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    review = factory.SubFactory(ReviewFactory)
    author_name = factory.Sequence(lambda n: f"Reader {n}")
    author_email = factory.LazyAttribute(lambda c: f"{c.author_name.lower().replace(' ', '.')}@example.com")
    body = "Loved the staircase fight."
    ip_address = "203.0.113.7"
    user_agent = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"
    referrer = "https://films.example/"
    status = Comment.Status.APPROVED
    verdict = Comment.Verdict.HAM
