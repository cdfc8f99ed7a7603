"""A WordPress import started from the admin: the upload kept, the zip of uploads unpacked safely, the
importer run by the task worker with its progress and report on an `ImportRun`.

The request only stores the files and checks the zip's directory (names, count, declared sizes); the
worker unpacks it (checking again, against the bytes it really writes) and runs the same `Importer` as
`manage.py import_wordpress`. The upload waits in the private storage (STORAGES["private"]: a folder outside
MEDIA_ROOT, or a bucket's private/ prefix), so a worker on another host can read it and no URL reaches it;
the worker copies it into a temporary folder of its own, and deletes it once the run ends, whatever the
outcome: it holds readers' emails and IPs.
"""

import logging
import shutil
import stat
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.files.storage import storages
from django_tasks import task

from reviews.jobs import enqueue_after_commit

from .models import ImportRun
from .wordpress import mapping, wxr
from .wordpress.importer import Importer

logger = logging.getLogger(__name__)
CHUNK = 1024 * 1024
MAX_RATIO = 100  # images and text never compress 100:1; a zip bomb does (42.zip: about 10⁶:1)


class UnsafeArchive(ValueError):
    """The zip cannot be unpacked safely; the message says why, for the person who uploaded it."""


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:,.0f} MB"


def check_zip(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The members to unpack (files only), or UnsafeArchive: read from the zip's directory, nothing unpacked."""
    members = archive.infolist()
    max_files, max_bytes = settings.WORDPRESS_ZIP_MAX_FILES, settings.WORDPRESS_ZIP_MAX_MB * 1024 * 1024
    if len(members) > max_files:
        raise UnsafeArchive(f"The zip holds {len(members):,} entries, over the limit of {max_files:,}.")
    total = packed = 0
    files = []
    for info in members:
        name = info.filename
        path = PurePosixPath(name)
        if name.startswith(("/", "\\")) or "\\" in name or (len(name) > 1 and name[1] == ":") or ".." in path.parts:
            raise UnsafeArchive(f"The zip holds “{name[:100]}”, a path outside its own folder: refused.")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise UnsafeArchive(f"The zip holds a symbolic link (“{name[:100]}”): refused.")
        if info.flag_bits & 0x1:
            raise UnsafeArchive("The zip is encrypted: make it again without a password.")
        if info.is_dir():
            continue
        # Every member, whatever its size; the floor spares tiny files (a blank one compresses beyond any
        # ratio), and the whole archive's ratio below catches many of them.
        if info.file_size > MAX_RATIO * max(info.compress_size, 1024):
            raise UnsafeArchive(
                f"“{name[:100]}” would unpack from {info.compress_size:,} bytes to {_mb(info.file_size)}: "
                "that is a zip bomb, not a folder of images. Refused."
            )
        total += info.file_size
        packed += info.compress_size
        if total > max_bytes:
            raise UnsafeArchive(f"The zip would unpack to more than {_mb(max_bytes)} (WORDPRESS_ZIP_MAX_MB).")
        files.append(info)
    if total > MAX_RATIO * max(packed, 1):
        raise UnsafeArchive(
            f"The zip would unpack from {packed:,} bytes to {_mb(total)}: "
            "that is a zip bomb, not a folder of images. Refused."
        )
    return files


def extract_zip(zip_path: Path, target: Path) -> None:
    """Unpack the checked zip into `target`, counting the bytes really written (a zip may lie about sizes)."""
    max_bytes = settings.WORDPRESS_ZIP_MAX_MB * 1024 * 1024
    root = target.resolve()
    written = 0
    try:
        with zipfile.ZipFile(zip_path) as archive:
            for info in check_zip(archive):
                destination = (root / info.filename).resolve()
                if not destination.is_relative_to(root):
                    raise UnsafeArchive(f"The zip holds “{info.filename[:100]}”, outside its folder: refused.")
                destination.parent.mkdir(parents=True, exist_ok=True)
                size = 0
                with archive.open(info) as source, destination.open("wb") as out:
                    while block := source.read(CHUNK):
                        size += len(block)
                        written += len(block)
                        if size > info.file_size or written > max_bytes:
                            raise UnsafeArchive(
                                f"“{info.filename[:100]}” unpacks to more than the zip says it holds: refused."
                            )
                        out.write(block)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as error:
        raise UnsafeArchive(f"The uploads file is not a readable zip: {error}") from None


def media_dir(unpacked: Path) -> Path:
    """The folder to hand the importer: it finds files under it or under its wp-content/uploads/."""
    children = [child for child in unpacked.iterdir() if not child.name.startswith(("__MACOSX", "."))]
    if len(children) == 1 and children[0].is_dir() and not (unpacked / "wp-content").is_dir():
        return children[0]  # "uploads/2019/05/…" (or any one folder the zip was made of)
    return unpacked


UPLOADS = ("export.xml", "uploads.zip")  # our names in the run's folder, never the uploader's


def start(*, export_file, uploads_zip=None, film_mapping="", create_films=False, dry_run=False, by=None) -> ImportRun:
    """Keep the upload in the private storage and queue its import once this transaction commits."""
    run = ImportRun(
        created_by=by,
        file_name=Path(export_file.name).name[:200],
        media_name=Path(uploads_zip.name).name[:200] if uploads_zip else "",
        create_films=create_films,
        dry_run=dry_run,
        film_mapping=film_mapping,
    )
    private = storages["private"]
    for name, upload in zip(UPLOADS, (export_file, uploads_zip), strict=True):
        if upload is not None:
            private.save(run.folder + name, upload)
    run.save()
    enqueue_after_commit(run_import, run.pk)
    return run


def _fetch(storage, name: str, path: Path) -> bool:
    """Copy a stored file to `path` on this host; False when there is none."""
    if not storage.exists(name):
        return False
    with storage.open(name, "rb") as source, path.open("wb") as out:
        shutil.copyfileobj(source, out, CHUNK)
    return True


@task()
def run_import(run_id: int) -> None:
    """The task of a WordPress import started from the admin (`run`)."""
    run(run_id)


def run(run_id: int) -> None:
    """Fetch, unpack, import, report; whatever happens, the run ends done or failed and the upload goes."""
    run = ImportRun.objects.filter(pk=run_id).first()
    if run is None or not run.start():
        return  # already taken by another worker, or deleted
    private = storages["private"]
    try:
        with tempfile.TemporaryDirectory(prefix="wordpress-import-") as temp:  # under TMPDIR
            folder = Path(temp)
            _fetch(private, run.folder + "export.xml", folder / "export.xml")
            media = None
            if _fetch(private, run.folder + "uploads.zip", folder / "uploads.zip"):
                run.record("unzipping", 0, 0)
                extract_zip(folder / "uploads.zip", folder / "uploads")
                media = media_dir(folder / "uploads")
            importer = Importer(
                folder / "export.xml",
                media_dir=media,
                dry_run=run.dry_run,
                create_films=run.create_films,
                film_map=mapping.read(run.film_mapping) if run.film_mapping else None,
                progress=run.record,
            )
            report = importer.run()
        run.finish(report.render(dry_run=run.dry_run), importer.mapping_csv())
    except (wxr.ExportError, UnsafeArchive, mapping.MappingError) as error:
        run.fail(str(error))
    except Exception as error:  # the run must end, and say so, whatever went wrong
        logger.exception("WordPress import %s failed", run.pk)
        run.fail(
            f"The import stopped with an unexpected error ({type(error).__name__}: {error}). What was imported "
            "before it stays; running the same import again finishes it without duplicating anything."
        )
    finally:
        delete_upload(run)


def delete_upload(run: ImportRun) -> None:
    """Delete a run's upload from the private storage: after its run, and with the run (a queued run
    deleted in the admin, whose task then finds nothing to do)."""
    private = storages["private"]
    for name in UPLOADS:
        private.delete(run.folder + name)
