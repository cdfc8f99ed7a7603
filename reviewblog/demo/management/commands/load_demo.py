"""Load the demo site: films, people, credits, reviews, images drawn with Pillow, demo logins, and
the readers' comments with the moderator's first rules (`--no-comments` leaves those out).

Idempotent: rows are looked up by their natural keys (a comment by its review and the time it was
written) and left alone when they exist, and images are only drawn when their file is missing, so a
second run changes nothing.
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
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.text import slugify

from comments.models import Comment, CommentEvent, CommentRule, touch_review
from reviewblog.demo import artwork, readers
from reviewblog.demo import content as demo
from reviews import renditions
from reviews.artwork import to_bytes
from reviews.markdown import render_markdown
from reviews.models import AuthorProfile, Credit, Film, Franchise, Genre, Person, Review, ReviewAspect

USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"


def ensure_image(path: str, draw) -> str:
    """Store the JPEG `draw()` makes at `path`, unless a file is already there."""
    if not default_storage.exists(path):
        default_storage.save(path, ContentFile(to_bytes(draw(), "JPEG", quality=84, progressive=True)))
    return path


def aware(value: str) -> datetime:
    return timezone.make_aware(datetime.fromisoformat(value))


class Command(BaseCommand):
    help = (
        "Load the demo films, reviews, images, logins and readers' comments "
        "(safe to run again; it changes nothing the second time)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-comments",
            action="store_false",
            dest="comments",
            help="Leave out the readers' comments and the moderator's rules (for a site that brings its own).",
        )
        parser.add_argument(
            "--allow-demo-logins",
            action="store_true",
            help="Load the demo even with DEBUG off (its logins' passwords are public and its readers made up: "
            "never on a real site).",
        )

    def handle(self, *args, comments=True, allow_demo_logins=False, **options):
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
        if comments:
            self.load_readers()
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

    def load_readers(self) -> None:
        """The readers' comments on the demo reviews, and the rules a moderator starts with."""
        slugs = {data["review"] for data in readers.COMMENTS}
        reviews = {review.slug: review for review in Review.objects.published().filter(slug__in=slugs)}
        with transaction.atomic():
            created = self.load_comments(reviews)
            self.load_rules()
        self.stdout.write(self.style.SUCCESS(f"Demo comments ready ({created} new comment{pluralize(created)})."))
        if missing := slugs - reviews.keys():
            self.stdout.write(
                self.style.WARNING(f"Skipped the comments of unpublished reviews: {', '.join(sorted(missing))}.")
            )

    def load_comments(self, reviews) -> int:
        comments, touched, created = {}, set(), 0
        for data in readers.COMMENTS:
            review = reviews.get(data["review"])
            if review is None:
                continue
            written = aware(data["written"])
            comment = Comment.objects.filter(review=review, created_at=written).first()
            if comment is None:
                comment = self.create_comment(review, data, written, parent=comments.get(data.get("parent")))
                created += 1
                touched.add(review)
            comments[data["key"]] = comment
        for review in touched:
            touch_review(review)
        return created

    def load_rules(self) -> None:
        """Two rules of the kind a moderator starts with, so the rules page shows how they work."""
        for kind, pattern, action, shadow, note in readers.RULES:
            CommentRule.objects.get_or_create(
                kind=kind, pattern=pattern, defaults={"action": action, "shadow": shadow, "note": note}
            )

    def create_comment(self, review, data, written, parent) -> Comment:
        Status, Verdict = Comment.Status, Comment.Verdict
        status = data["status"]
        comment = Comment.objects.create(
            review=review,
            parent=parent,
            author_name=data["name"],
            author_email=data["email"],
            author_url=data.get("url", ""),
            body=data["body"],
            created_at=written,
            ip_address=data["ip"],
            user_agent=USER_AGENT,
            status=status,
            # Spam stays in the moderator's spam folder until the purge, COMMENT_SPAM_DAYS after loading.
            status_changed_at=timezone.now() if status == Status.SPAM else written,
            verdict=Verdict.SPAM if status == Status.SPAM else Verdict.HAM,
            check_attempts=1,
            hold_notes=data.get("hold_notes", []),
        )
        event = comment.log(CommentEvent.Kind.SUBMITTED)
        CommentEvent.objects.filter(pk=event.pk).update(created_at=written)  # its history starts when it was written
        return comment
