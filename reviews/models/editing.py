"""What keeps an author's words safe while a review is open in the editor: who has it open (the edit
lock, renewed by the editor's heartbeat, as WordPress's post locks and Wagtail's page locks) and the
drafts the editor saves as they type (autosaves, one per author and review, never a revision).

The version check that refuses a save made from a stale form lives in reviews/editing.py.
"""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from .review import Review


class EditLock(models.Model):
    """Who has a review open in the editor, since when, and when their editor last said it was still open.

    A lock whose heartbeat is older than REVIEW_LOCK_SECONDS is free: the tab was closed or the laptop slept.
    """

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="edit_lock")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    since = models.DateTimeField(default=timezone.now)
    heartbeat_at = models.DateTimeField(default=timezone.now)
    # Whose open editor this lock was taken from, so they are told at their next heartbeat or save.
    taken_from = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self):
        return f"{self.review} open by {self.user}"

    @property
    def is_fresh(self) -> bool:
        return self.heartbeat_at > timezone.now() - timedelta(seconds=settings.REVIEW_LOCK_SECONDS)

    @classmethod
    def heartbeat(cls, review: Review, user, *, take_over: bool = False) -> "EditLock":
        """Claim or renew `user`'s lock on `review`; someone else's fresh lock stands unless `take_over`.
        Returns the lock as it now is (whoever holds it)."""
        now = timezone.now()
        with transaction.atomic():
            try:
                with transaction.atomic():
                    return cls.objects.create(review=review, user=user, since=now, heartbeat_at=now)
            except IntegrityError:  # a lock row exists (perhaps made a moment ago by another request)
                pass
            lock = cls.objects.select_for_update().select_related("user").get(review=review)
            if lock.user_id == user.pk and lock.is_fresh:
                lock.heartbeat_at = now
                lock.save(update_fields=["heartbeat_at"])
            elif lock.user_id == user.pk:  # their own lock, long gone: opened afresh now
                lock.since, lock.heartbeat_at, lock.taken_from = now, now, None
                lock.save(update_fields=["since", "heartbeat_at", "taken_from"])
            elif take_over or not lock.is_fresh:
                lock.taken_from = lock.user if lock.is_fresh else None
                lock.user, lock.since, lock.heartbeat_at = user, now, now
                lock.save()
            return lock

    @classmethod
    def current(cls, review: Review) -> "EditLock | None":
        """The fresh lock on `review`, if anyone holds one."""
        lock = cls.objects.filter(review=review).select_related("user", "taken_from").first()
        return lock if lock and lock.is_fresh else None

    @classmethod
    def release(cls, review: Review, user) -> None:
        cls.objects.filter(review=review, user=user).delete()


class Autosave(models.Model):
    """The editor's form as an author last left it, saved as they type: never published, never a revision.

    `data` holds the form's fields as the browser sends them ({name: [values]}); `based_on` is the version
    of the review the editor had loaded (its updated_at).
    """

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="autosaves")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    data = models.JSONField(default=dict)
    saved_at = models.DateTimeField(default=timezone.now)
    based_on = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "user"], name="autosave_once_per_author")]

    def __str__(self):
        return f"Autosave of {self.review} by {self.user}"

    @classmethod
    def store(cls, review: Review, user, data: dict, based_on=None) -> "Autosave":
        autosave, _ = cls.objects.update_or_create(
            review=review, user=user, defaults={"data": data, "saved_at": timezone.now(), "based_on": based_on}
        )
        return autosave

    def value(self, name: str) -> str:
        """One field's value as the form would clean it (line ends as LF)."""
        values = self.data.get(name) or [""]
        return str(values[0]).replace("\r\n", "\n")
