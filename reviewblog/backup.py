"""One consistent backup of the site (its database and its public media) and the restore that brings it back.

A backup is a folder, or a .tar of one, holding:
- `database.sqlite3`: SQLite's online backup of the live file, one read transaction, so a consistent snapshot
  while the site goes on writing (WAL); or `database.dump`: pg_dump's custom format of the PostgreSQL database;
- `media/`: every file of the "default" storage (a folder or the bucket), read through the storage API;
- `manifest.json`: when, the versions, the database vendor, the last migration applied per app, and for every
  table its row count and a digest of its rows; for every media file its size and sha256.

The database is copied first and the media after: an uploaded file is never rewritten (a new upload gets a new
name), so every file the copied rows name is in the copy; files added since are extra and harmless.
The "private" storage (the WordPress import's transient uploads) and the cache are not backed up.
"""

import hashlib
import json
import os
import platform
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import django
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

DATABASE_SQLITE = "database.sqlite3"
DATABASE_DUMP = "database.dump"
MEDIA = "media"
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024


class RestoreRefused(Exception):
    """The target database already holds a site."""


# --- Digests: the same numbers from the live snapshot and from the restored database ---


def _row_digest(cursor, table: str) -> dict:
    """Count the table's rows and digest them, in no particular order (each row hashed, the hashes sorted)."""
    cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
    hashes = []
    while rows := cursor.fetchmany(1000):
        hashes.extend(hashlib.sha256(repr(tuple(row)).encode()).digest() for row in rows)
    hashes.sort()
    return {"rows": len(hashes), "sha256": hashlib.sha256(b"".join(hashes)).hexdigest()}


def _digests(cursor, tables: list[str]) -> dict:
    return {table: _row_digest(cursor, table) for table in sorted(tables)}


def _last_migrations(cursor) -> dict:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
    return dict(cursor.fetchall())


def _sqlite_tables(db: sqlite3.Connection) -> list[str]:
    rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    return [name for (name,) in rows]


def database_digests() -> dict:
    """Row count and digest of every table of the default database, as it is now."""
    if connection.vendor == "sqlite":
        # A plain sqlite3 connection, so values read the same as from the backup file (no Django converters).
        db = sqlite3.connect(connection.settings_dict["NAME"])
        try:
            return _digests(db.cursor(), _sqlite_tables(db))
        finally:
            db.close()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        return _digests(cursor, connection.introspection.table_names(cursor))


def _media_names(prefix: str = "") -> Iterator[str]:
    try:
        folders, files = default_storage.listdir(prefix)
    except FileNotFoundError:  # a media folder nothing was ever uploaded to
        return
    for name in files:
        yield f"{prefix}{name}"
    for folder in folders:
        yield from _media_names(f"{prefix}{folder}/")


def _copy(source, target) -> dict:
    digest, size = hashlib.sha256(), 0
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        if target is not None:
            target.write(chunk)
    return {"size": size, "sha256": digest.hexdigest()}


def media_digests() -> dict:
    """Size and sha256 of every file in the default storage."""
    result = {}
    for name in sorted(_media_names()):
        with default_storage.open(name, "rb") as source:
            result[name] = _copy(source, None)
    return result


def contents(manifest: dict) -> str:
    """What a backup holds, as the commands report it: "1234 rows in 40 tables and 56 media files"."""
    rows = sum(table["rows"] for table in manifest["tables"].values())
    return f"{rows} rows in {len(manifest['tables'])} tables and {len(manifest['media'])} media files"


# --- Backup ---


def _backup_sqlite(folder: Path) -> dict:
    live = sqlite3.connect(connection.settings_dict["NAME"], timeout=30)
    copy = sqlite3.connect(folder / DATABASE_SQLITE)
    try:
        live.backup(copy)  # all pages in one step: one read transaction, one moment of the database
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        return {"tables": _digests(copy.cursor(), _sqlite_tables(copy)), "migrations": _last_migrations(copy.cursor())}
    finally:
        copy.close()
        live.close()


def _pg_command(program: str, *arguments: str) -> tuple[list[str], dict]:
    """pg_dump or pg_restore aimed at the default database; the password goes in the environment, never argv."""
    settings = connection.settings_dict
    command = [program, "--dbname", settings["NAME"], "--no-password"]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings.get(key):
            command += [option, str(settings[key])]
    environment = {**os.environ}
    if settings.get("PASSWORD"):
        environment["PGPASSWORD"] = settings["PASSWORD"]
    if settings.get("OPTIONS", {}).get("sslmode"):
        environment["PGSSLMODE"] = settings["OPTIONS"]["sslmode"]
    return command + list(arguments), environment


def _backup_postgresql(folder: Path) -> dict:
    # The digests and pg_dump read the same snapshot: this transaction exports it and stays open while pg_dump runs.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
        command, environment = _pg_command(
            "pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={folder / DATABASE_DUMP}"
        )
        subprocess.run(command, env=environment, check=True, capture_output=True)
        tables = _digests(cursor, connection.introspection.table_names(cursor))
        return {"tables": tables, "migrations": _last_migrations(cursor)}


def _backup_media(folder: Path) -> dict:
    files = {}
    for name in sorted(_media_names()):
        target = folder / MEDIA / name
        if not target.resolve().is_relative_to((folder / MEDIA).resolve()):
            raise ValueError(f"media name outside the media folder: {name!r}")
        target.parent.mkdir(parents=True, exist_ok=True)
        with default_storage.open(name, "rb") as source, open(target, "wb") as out:
            files[name] = _copy(source, out)
    return files


def backup(path: Path) -> dict:
    """Write one backup to `path` (a new folder, or a file ending in .tar) and return its manifest."""
    path = Path(path)
    if path.exists():
        raise FileExistsError(f"{path} exists; a backup goes to a new path")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(dir=path.parent) as work:
        folder = Path(work) / "backup"
        folder.mkdir()
        taken_at = timezone.now()
        database = _backup_sqlite(folder) if connection.vendor == "sqlite" else _backup_postgresql(folder)
        media = _backup_media(folder)
        manifest = {
            "taken_at": taken_at.isoformat(),
            "django": django.get_version(),
            "python": platform.python_version(),
            "vendor": connection.vendor,
            "database_file": DATABASE_SQLITE if connection.vendor == "sqlite" else DATABASE_DUMP,
            **database,
            "media": media,
            "seconds": round(time.monotonic() - started, 2),
        }
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
        if path.suffix == ".tar":
            with tarfile.open(path, "w") as archive:
                archive.add(folder, arcname=".")
        else:
            folder.rename(path)
    return manifest


# --- Restore ---


@contextmanager
def opened(path: Path) -> Iterator[Path]:
    """The backup's folder: `path` itself, or the .tar unpacked into a temporary folder."""
    if path.is_dir():
        yield path
        return
    with tempfile.TemporaryDirectory() as work, tarfile.open(path) as archive:
        archive.extractall(work, filter="data")
        yield Path(work)


def _holds_a_site() -> bool:
    tables = connection.introspection.table_names()
    with connection.cursor() as cursor:
        for table in ("reviews_review", "comments_comment"):
            if table in tables:
                cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
                if cursor.fetchone():
                    return True
    return False


def _restore_sqlite(folder: Path) -> None:
    connection.close()
    copy = sqlite3.connect(folder / DATABASE_SQLITE)
    live = sqlite3.connect(connection.settings_dict["NAME"], timeout=30)
    try:
        copy.backup(live)  # replaces every page of the target, under its write lock
    finally:
        live.close()
        copy.close()


def _restore_postgresql(folder: Path) -> None:
    connection.close()
    command, environment = _pg_command(
        "pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error"
    )
    result = subprocess.run([*command, str(folder / DATABASE_DUMP)], env=environment, capture_output=True, text=True)
    if result.returncode:
        raise RuntimeError(f"pg_restore failed: {result.stderr.strip()}")


def _restore_media(folder: Path, files: dict) -> None:
    for name, expected in files.items():
        if default_storage.exists(name):
            with default_storage.open(name, "rb") as there:
                if _copy(there, None) == expected:
                    continue
            default_storage.delete(name)  # else save() would keep it and pick another name
        with open(folder / MEDIA / name, "rb") as source:
            saved = default_storage.save(name, File(source, name=name))
        if saved != name:
            raise RuntimeError(f"the storage saved {name!r} as {saved!r}")


def compare(manifest: dict) -> list[str]:
    """What the site now differs in from the manifest: tables' rows and media files (extra files are fine)."""
    problems = []
    tables = database_digests()
    for table, expected in manifest["tables"].items():
        found = tables.get(table)
        if found != expected:
            problems.append(f"table {table}: expected {expected['rows']} rows, found {found and found['rows']}")
    media = media_digests()
    for name, expected in manifest["media"].items():
        if media.get(name) != expected:
            problems.append(f"media {name}: missing or different")
    return problems


def restore(path: Path, *, force: bool = False) -> tuple[dict, list[str]]:
    """Bring back the backup at `path` into the default database and storage; return its manifest and what differs."""
    with opened(Path(path)) as folder:
        manifest = json.loads((folder / MANIFEST).read_text())
        if manifest["vendor"] != connection.vendor:
            raise RestoreRefused(f"the backup is of {manifest['vendor']}, the database is {connection.vendor}")
        if not force and _holds_a_site():
            raise RestoreRefused("the database already holds reviews or comments (--force replaces them)")
        if connection.vendor == "sqlite":
            _restore_sqlite(folder)
        else:
            _restore_postgresql(folder)
        _restore_media(folder, manifest["media"])
    return manifest, compare(manifest)
