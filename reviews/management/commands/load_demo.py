"""Load the demo site: films, people, credits, reviews, images drawn with Pillow, and demo logins.

Idempotent: rows are looked up by their natural keys and left alone when they exist, and images
are only drawn when their file is missing, so a second run changes nothing.
"""

from datetime import date, datetime
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.flatpages.models import FlatPage
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from reviews import artwork, renditions
from reviews import demo_content as demo
from reviews.markdown import render_markdown
from reviews.models import AuthorProfile, Credit, Film, Franchise, Genre, Person, Review, ReviewAspect


def ensure_image(path: str, draw) -> str:
    """Store the JPEG `draw()` makes at `path`, unless a file is already there."""
    if not default_storage.exists(path):
        default_storage.save(path, ContentFile(artwork.to_bytes(draw(), "JPEG", quality=84, progressive=True)))
    return path


def aware(value: str) -> datetime:
    return timezone.make_aware(datetime.fromisoformat(value))


class Command(BaseCommand):
    help = "Load the demo films, reviews, images and logins (safe to run again; it changes nothing the second time)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-demo-logins",
            action="store_true",
            help="Create the demo logins even with DEBUG off (their passwords are public: never on a real site).",
        )

    def handle(self, *args, allow_demo_logins=False, **options):
        if not settings.DEBUG and not allow_demo_logins:
            raise CommandError(
                "The demo logins have published passwords; load_demo runs with DEBUG=1 only "
                "(or pass --allow-demo-logins on a throwaway site)."
            )
        with transaction.atomic():
            users = self.load_users()
            films = self.load_films()
            created = self.load_reviews(users, films)
            self.load_pages()
        # New rows queue theirs for the task worker; made here and now, the demo shows them from the first page.
        renditions.make_missing()
        self.stdout.write(self.style.SUCCESS(f"Demo content ready ({created} new review(s))."))
        self.stdout.write("Demo logins for http://127.0.0.1:8000/admin/ :")
        for username, password, _first, _last, _group, role in demo.USERS:
            self.stdout.write(f"  {role:>14}: {username} / {password}")

    def load_users(self):
        User = get_user_model()
        users = {}
        for username, password, first, last, group, _role in demo.USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "is_staff": True, "email": f"{username}@example.com"},
            )
            if created:
                user.set_password(password)
                user.save(update_fields=["password"])
                user.groups.add(Group.objects.get(name=group))
            if username in demo.AUTHOR_BIOS:
                AuthorProfile.objects.get_or_create(user=user, defaults={"bio": demo.AUTHOR_BIOS[username]})
            users[username] = user
        return users

    def load_pages(self):
        for url, title, text in demo.PAGES:
            defaults = {"title": title, "content": render_markdown(text)}
            page, _ = FlatPage.objects.get_or_create(url=url, defaults=defaults)
            page.sites.add(settings.SITE_ID)

    def load_person(self, name, bio):
        defaults = {"bio": bio}
        if name in demo.PORTRAITS:
            picture, alt = artwork.portrait((600, 750), name)
            defaults |= {"photo": ensure_image(f"people/{slugify(name)}.jpg", lambda: picture), "photo_alt": alt}
        return Person.objects.get_or_create(name=name, defaults=defaults)[0]

    def load_films(self):
        franchises = {
            f["name"]: Franchise.objects.get_or_create(name=f["name"], defaults={"description": f["description"]})[0]
            for f in demo.FRANCHISES
        }
        genres = {name: Genre.objects.get_or_create(name=name)[0] for name in demo.GENRES}
        people = {name: self.load_person(name, bio) for name, bio in demo.PEOPLE.items()}
        films = {}
        for data in demo.FILMS:
            slug = slugify(f"{data['title']} {data['release_year']}")
            dark, light, motif, tagline = data["poster"]
            names = [name for name, job, _character, _billing in data["credits"] if job == "cast"]
            film, created = Film.objects.get_or_create(
                slug=slug,
                defaults={
                    "title": data["title"],
                    "release_year": data["release_year"],
                    "release_date": date.fromisoformat(data["release_date"]),
                    "runtime": data["runtime"],
                    "synopsis": data["synopsis"],
                    "franchise": franchises.get(data["franchise"]),
                    "poster": ensure_image(
                        f"posters/{slug}.jpg",
                        partial(artwork.poster, (600, 900), dark, light, motif, data["title"].upper(), tagline, names),
                    ),
                    "poster_alt": artwork.poster_alt(motif, data["title"].upper(), tagline),
                },
            )
            if created:
                film.genres.set([genres[name] for name in data["genres"]])
                Credit.objects.bulk_create(
                    Credit(film=film, person=people[name], job=job, character=character, billing=billing)
                    for name, job, character, billing in data["credits"]
                )
            films[data["title"]] = film
        return films

    def load_reviews(self, users, films) -> int:
        created_count = 0
        for data in demo.REVIEWS:
            hero, hero_alt = "", data["hero_alt"]
            if data["hero"]:
                dark, light, motif = data["hero"]
                hero = ensure_image(
                    f"heroes/{data['slug']}.jpg", partial(artwork.still, (1600, 900), dark, light, motif)
                )
                hero_alt = artwork.still_alt(motif, dark, light)
            review, created = Review.objects.get_or_create(
                slug=data["slug"],
                defaults={
                    "film": films[data["film"]] if data["film"] else None,
                    "author": users[data["author"]],
                    "title": data["title"],
                    "standfirst": data["standfirst"],
                    "body": data["body"],
                    "rating": data["rating"],
                    "contains_spoilers": data.get("contains_spoilers", False),
                    "status": data.get("status", Review.Status.PUBLISHED),
                    "published_at": aware(data["published_at"]),
                    "hero_image": hero,
                    "hero_alt": hero_alt,
                    "hero_caption": data["hero_caption"],
                },
            )
            if created:
                created_count += 1
                # A demo review has not been revised since it was published.
                Review.objects.filter(pk=review.pk).update(updated_at=review.published_at)
                ReviewAspect.objects.bulk_create(
                    ReviewAspect(review=review, name=name, score=score, order=i)
                    for i, (name, score) in enumerate(data["aspects"])
                )
        return created_count
