"""manage.py backup and restore: a backup taken while readers post comments restores, in a fresh database and
empty media storage, to exactly the site of the backup's moment."""

import json
import os
import subprocess
import sys
import threading
import time
from io import StringIO
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from comments import moderation
from comments.models import Comment
from reviewblog import backup
from reviews.models import Review

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
WRITERS = 4


def fresh_database(tmp_path) -> str:
    """The address of an empty database beside the test's own."""
    if connection.vendor == "sqlite":
        return f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    test = connection.settings_dict
    name = f"{test['NAME']}_restore"
    server = {"host": test["HOST"], "port": test["PORT"], "user": test["USER"], "password": test["PASSWORD"] or None}
    with psycopg.connect(**server, dbname="postgres") as admin:
        admin.autocommit = True
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    login = quote(test["USER"]) + (f":{quote(test['PASSWORD'])}" if test["PASSWORD"] else "")
    return f"postgres://{login}@{test['HOST']}:{test['PORT']}/{name}"


def manage(environment: dict, *arguments: str) -> subprocess.CompletedProcess:
    """manage.py in a process of its own, with the project's settings and this environment."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update({"DJANGO_SETTINGS_MODULE": "reviewblog.settings", "DEBUG": "1", **environment})
    return subprocess.run(
        [sys.executable, "manage.py", *arguments], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def site_as_restored(environment: dict) -> dict:
    code = (
        "import json; from reviewblog import backup; from comments.models import Comment, CommentEvent; "
        "print(json.dumps({'tables': backup.database_digests(), 'media': backup.media_digests(), "
        "'comments': list(Comment.objects.values_list('pk', 'author_email')), "
        "'submitted': list(CommentEvent.objects.filter(kind='submitted').values_list('comment_id', flat=True))}))"
    )
    result = manage(environment, "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])  # the last line: the shell may greet first


class Writers:
    """Readers posting comments through the comment form's own path (moderation.receive), each thread on its own
    database connection, until stopped. Each comment is known by its email: `sent` lists those whose posting
    has begun, `posted` those whose posting has returned (its transaction committed)."""

    def __init__(self, reviews: list[Review]):
        self.reviews = reviews
        self.sent: list[str] = []
        self.posted: list[str] = []
        self.errors: list[BaseException] = []
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.write, args=(n,)) for n in range(WRITERS)]

    def write(self, writer: int) -> None:
        try:
            count = 0
            while not self.stop.is_set():
                count += 1
                comment = Comment(
                    review=self.reviews[count % len(self.reviews)],
                    author_name=f"Writer {writer}-{count}",
                    author_email=f"writer{writer}.{count}@example.com",
                    body=f"Comment {count} from writer {writer}: the third act drags.",
                    ip_address=f"198.51.100.{writer + 1}",
                    user_agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0",
                )
                self.sent.append(comment.author_email)
                moderation.receive(comment)
                self.posted.append(comment.author_email)
        except BaseException as error:  # noqa: BLE001  (reported by the test)
            self.errors.append(error)
        finally:
            connection.close()

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join()

    def wait_for(self, count: int) -> None:
        deadline = time.monotonic() + 60
        while len(self.posted) < count and not self.errors and time.monotonic() < deadline:
            time.sleep(0.02)


def backup_under_load_and_restore(tmp_path, restored_media: dict, empty_media=lambda: None) -> dict:
    reviews = list(Review.objects.published()[:5])
    media = backup.media_digests()
    untouched_tables = backup.database_digests()
    target = tmp_path / "site-backup.tar"
    with Writers(reviews) as writers:
        writers.wait_for(20)
        before = set(writers.posted)
        started = time.monotonic()
        call_command("backup", target, stdout=StringIO())
        backup_seconds = time.monotonic() - started
        after = set(writers.sent)
        writers.wait_for(len(after) + 20)
    assert not writers.errors
    now = backup.database_digests()
    untouched_tables = {table: rows for table, rows in untouched_tables.items() if now[table] == rows}

    empty_media()
    environment = {"DATABASE_URL": fresh_database(tmp_path), **restored_media}
    started = time.monotonic()
    result = manage(environment, "restore", str(target))
    restore_seconds = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert "all match the manifest" in result.stdout

    with backup.opened(target) as folder:
        manifest = json.loads((folder / backup.MANIFEST).read_text())
    restored = site_as_restored(environment)
    # Every table as the backup counted and digested it, row for row; those the writers left alone, as they are.
    assert restored["tables"] == manifest["tables"]
    assert {table: restored["tables"][table] for table in untouched_tables} == untouched_tables
    # Every image, byte for byte.
    assert restored["media"] == manifest["media"] == media
    # Each comment posted before the backup began is back, none sent after it ended, and none by halves.
    from_writers = {email for pk, email in restored["comments"]} & set(writers.sent)
    assert before <= from_writers <= after
    assert set(restored["submitted"]) == {pk for pk, email in restored["comments"]}
    figures = {
        "vendor": connection.vendor,
        "rows": sum(table["rows"] for table in manifest["tables"].values()),
        "tables": len(manifest["tables"]),
        "media files": len(manifest["media"]),
        "comments posted before the backup": len(before),
        "sent while it ran": len(after - before),
        "of those in the backup": len(from_writers - before),
        "posted in all": len(writers.posted),
        "backup seconds": round(backup_seconds, 2),
        "restore seconds (process included)": round(restore_seconds, 2),
    }
    print(f"\nbackup drill: {figures}")
    return figures


def test_a_backup_taken_while_comments_are_posted_restores_to_the_same_site(demo_site, tmp_path):
    restored_media = {"MEDIA_ROOT": str(tmp_path / "restored-media"), "PRIVATE_ROOT": str(tmp_path / "private-2")}
    figures = backup_under_load_and_restore(tmp_path, restored_media)
    assert figures["media files"] > 0 and figures["comments posted before the backup"] >= 20


def test_a_backup_of_media_in_a_bucket_restores_into_the_emptied_bucket(s3_media, demo_site, tmp_path):
    restored_media = {
        "AWS_STORAGE_BUCKET_NAME": django_settings.AWS_STORAGE_BUCKET_NAME,
        "AWS_PRIVATE_BUCKET_NAME": os.environ["AWS_PRIVATE_BUCKET_NAME"],
        "AWS_S3_ENDPOINT_URL": s3_media.url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_S3_REGION_NAME": os.environ["AWS_S3_REGION_NAME"],
    }
    original = backup.media_digests()
    assert original and sorted(original) == sorted(s3_media.stored())
    figures = backup_under_load_and_restore(tmp_path, restored_media, empty_media=s3_media.empty_buckets)
    assert figures["media files"] == len(original)


def test_restore_refuses_a_database_that_already_holds_a_site(demo_site, tmp_path):
    call_command("backup", tmp_path / "b", stdout=StringIO())
    with pytest.raises(CommandError, match="already holds reviews or comments"):
        call_command("restore", tmp_path / "b", stdout=StringIO())


def test_restore_reports_a_media_file_that_differs_from_the_manifest(demo_site, tmp_path):
    call_command("backup", tmp_path / "b", stdout=StringIO())
    name = next(iter(backup.media_digests()))
    (tmp_path / "b" / backup.MEDIA / name).write_bytes(b"not the image that was backed up")
    default_storage.delete(name)
    with pytest.raises(CommandError, match="1 differences"):
        call_command("restore", tmp_path / "b", "--force", stdout=StringIO(), stderr=StringIO())
