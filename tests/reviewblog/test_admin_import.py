"""The admin's WordPress import: who may use it, an import end to end through the page, zip safety, progress."""

import io
import random
import stat
import zipfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reviewblog import imports
from reviewblog.models import ImportedItem, ImportRun
from reviewblog.wordpress.importer import Importer
from reviews.models import Review
from tests.factories import UserFactory

from .conftest import FIXTURES

pytestmark = pytest.mark.django_db

ADD = reverse("admin:reviewblog_importrun_add")
LIST = reverse("admin:reviewblog_importrun_changelist")


def zip_of(files: dict[str, bytes], **options) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data, **options)
    return out.getvalue()


def uploads_zip(folder: Path, prefix: str = "") -> bytes:
    return zip_of({prefix + str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()})


def upload_left(run) -> list[str]:
    """The files of the run's upload still kept in the private storage."""
    private = storages["private"]
    return [name for name in imports.UPLOADS if private.exists(run.folder + name)]


def post_import(client, export: Path = FIXTURES / "blog.xml", uploads: bytes | None = None, **options):
    data = {"export": SimpleUploadedFile(export.name, export.read_bytes(), content_type="text/xml"), **options}
    if uploads is not None:
        data["uploads"] = SimpleUploadedFile("uploads.zip", uploads, content_type="application/zip")
    return client.post(ADD, data)


@pytest.mark.parametrize(
    ("role", "allowed"), [("Editors", True), ("superuser", True), ("Moderators", False), ("Authors", False)]
)
def test_only_editors_and_superusers_may_import(client, role, allowed):
    if role == "superuser":
        user = UserFactory(username="root", is_staff=True, is_superuser=True)
    else:
        user = UserFactory(username=role.lower(), group=role)
    client.force_login(user)
    run = ImportRun.objects.create(file_name="old.xml", status=ImportRun.Status.DONE, report="Import finished.")
    status_page = reverse("admin:reviewblog_importrun_change", args=[run.pk])
    for url in (ADD, LIST, status_page):
        assert client.get(url).status_code == (200 if allowed else 403), url
    assert (post_import(client).status_code == 302) is allowed
    index = client.get(reverse("admin:index")).content.decode()
    assert (ADD in index) is allowed  # linked from the admin's index for those who may use it


def test_anonymous_readers_are_sent_to_log_in(client):
    assert client.get(ADD).status_code == 302


def test_an_import_runs_end_to_end_through_the_page(
    editor_client, editor, films, uploads, django_capture_on_commit_callbacks, media_root
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_import(editor_client, uploads=uploads_zip(uploads), create_films="on")
    run = ImportRun.objects.get()
    assert response.url == reverse("admin:reviewblog_importrun_change", args=[run.pk])
    assert run.status == ImportRun.Status.DONE, run.report
    assert (run.created_by, run.file_name, run.media_name, run.create_films) == (
        editor,
        "blog.xml",
        "uploads.zip",
        True,
    )
    assert run.report.startswith("Import finished.") and "posts:" in run.report
    assert run.phase == "importing" and run.done == run.total > 0
    review = ImportedItem.objects.get(kind="post", source_id="10").target
    assert review.hero_image.name.startswith("wordpress/2025/06/ballerina-poster")  # the image came from the zip
    assert upload_left(run) == []  # the upload (readers' emails and IPs) is deleted once imported
    assert not (media_root / "imports").exists()  # and was never among the public media
    page = editor_client.get(response.url).content.decode()
    assert "Import finished." in page and 'http-equiv="refresh"' not in page


def test_a_dry_run_from_the_page_changes_nothing(editor_client, films, uploads, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post_import(editor_client, uploads=uploads_zip(uploads, prefix="uploads/"), dry_run="on")
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.DONE and run.report.startswith("Dry run: nothing was saved.")
    assert not Review.objects.exists()


def test_a_queued_import_shows_its_state_and_refreshes_itself(editor_client):
    response = post_import(editor_client)  # the task is queued after the commit, which never comes here
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.QUEUED and upload_left(run) == ["export.xml"]
    page = editor_client.get(response.url).content.decode()
    assert 'http-equiv="refresh"' in page and "waiting for the task worker" in page
    run.start()
    run.record("importing", 3, 12)
    page = editor_client.get(response.url).content.decode()
    assert "3 of 12 items (25 %)" in page and '<progress value="3" max="12">' in page


def test_a_hostile_export_fails_with_the_importers_message(editor_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_import(editor_client, export=FIXTURES / "billion_laughs.xml")
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.FAILED
    assert "declares XML entities" in run.report and "nothing was imported" in run.report
    page = editor_client.get(response.url).content.decode()
    assert "Why it failed" in page and "declares XML entities" in page
    assert upload_left(run) == []


def test_the_form_refuses_what_is_not_xml_or_not_a_zip(editor_client):
    response = editor_client.post(ADD, {"export": SimpleUploadedFile("export.xml", b"PK\x03\x04 binary")})
    assert "This is not an XML file" in response.content.decode()
    response = post_import(editor_client, uploads=b"not a zip at all")
    assert "This is not a zip file." in response.content.decode()
    assert not ImportRun.objects.exists()


# --- The zip's safety checks ---


def refused(data: bytes) -> str:
    with pytest.raises(imports.UnsafeArchive) as caught, zipfile.ZipFile(io.BytesIO(data)) as archive:
        imports.check_zip(archive)
    return str(caught.value)


@pytest.mark.parametrize(
    "name", ["../../etc/cron.d/evil", "/etc/passwd", "uploads/../../x.jpg", "C:/x.jpg", "a\\..\\b"]
)
def test_paths_outside_the_folder_are_refused(name):
    assert "refused" in refused(zip_of({name: b"x"}))


def test_symbolic_links_are_refused():
    info = zipfile.ZipInfo("uploads/link.jpg")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(info, "/etc/passwd")
    assert "symbolic link" in refused(out.getvalue())


def test_a_zip_bomb_is_refused_before_anything_is_unpacked():
    assert "zip bomb" in refused(zip_of({"uploads/zeros.jpg": bytes(20 * 1024 * 1024)}))


def test_many_megabytes_of_zeros_are_refused_however_they_are_split():
    one_mb_each = zip_of({f"uploads/{n}.jpg": bytes(1024 * 1024) for n in range(150)})  # 157 MB in about 160 KB
    assert "zip bomb" in refused(one_mb_each)
    small_each = zip_of({f"uploads/{n}.jpg": bytes(64 * 1024) for n in range(1500)})  # 98 MB, each under any floor
    assert "zip bomb" in refused(small_each)


def test_a_folder_of_small_ordinary_files_is_unpacked():
    files = {"uploads/blank.txt": b"", "uploads/index.php": b"<?php // Silence is golden.", "uploads/a.jpg": b"x"}
    files |= {f"uploads/{n}.jpg": random.randbytes(5000) for n in range(20)}
    with zipfile.ZipFile(io.BytesIO(zip_of(files))) as archive:
        assert len(imports.check_zip(archive)) == 23


def test_too_many_files_or_too_many_bytes_are_refused(settings):
    settings.WORDPRESS_ZIP_MAX_FILES = 3
    assert "over the limit of 3" in refused(zip_of({f"{n}.jpg": b"x" for n in range(4)}))
    settings.WORDPRESS_ZIP_MAX_FILES = 100
    settings.WORDPRESS_ZIP_MAX_MB = 1
    data = zip_of({"a.bin": bytes(range(256)) * 3000, "b.bin": bytes(range(256)) * 3000}, compress_type=0)
    assert "more than 1 MB" in refused(data)


def test_a_hostile_zip_fails_the_run_with_its_reason(editor_client, django_capture_on_commit_callbacks, settings):
    good = zip_of({"uploads/a.jpg": b"x"})
    with django_capture_on_commit_callbacks(execute=True):
        post_import(editor_client, uploads=good)
    assert ImportRun.objects.get().status == ImportRun.Status.DONE
    # A zip checked at upload whose members then unpack to more than it declared (a lying header).
    run = ImportRun.objects.create(file_name="blog.xml")
    private = storages["private"]
    private.save(run.folder + "export.xml", ContentFile((FIXTURES / "blog.xml").read_bytes()))
    lying = bytearray(zip_of({"uploads/a.jpg": b"y" * 5000}, compress_type=0))
    for header in (b"PK\x03\x04", b"PK\x01\x02"):  # say 10 bytes in both headers; 5,000 follow
        at = lying.find(header)
        offset = 22 if header == b"PK\x03\x04" else 24
        lying[at + offset : at + offset + 4] = (10).to_bytes(4, "little")
    private.save(run.folder + "uploads.zip", ContentFile(bytes(lying)))
    reviews = Review.objects.count()
    imports.run(run.pk)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED
    assert "more than the zip says" in run.report or "Bad CRC-32" in run.report  # zipfile stops at the declared size
    assert Review.objects.count() == reviews  # refused before the import began
    assert upload_left(run) == []


def test_unpacked_files_stay_inside_the_folder(tmp_path):
    (tmp_path / "in.zip").write_bytes(zip_of({"uploads/2019/05/a.jpg": b"jpeg", "uploads/": b""}))
    imports.extract_zip(tmp_path / "in.zip", tmp_path / "out")
    assert (tmp_path / "out/uploads/2019/05/a.jpg").read_bytes() == b"jpeg"
    assert imports.media_dir(tmp_path / "out") == tmp_path / "out/uploads"


# --- Progress ---


def test_the_importer_reports_its_progress(films, uploads):
    calls = []
    Importer(FIXTURES / "blog.xml", media_dir=uploads, progress=lambda *a: calls.append(a), progress_every=1).run()
    total = calls[-1][2]
    assert total > 3
    assert [c for c in calls if c[0] == "checking"] == [("checking", n, 0) for n in range(1, total + 1)]
    importing = [c[1] for c in calls if c[0] == "importing"]
    assert importing[0] == 0 and importing[-1] == total and importing == sorted(importing)


def test_a_dry_run_offers_the_film_mapping_and_the_next_run_follows_the_edited_one(
    editor_client, films, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_import(editor_client, dry_run="on")
    run = ImportRun.objects.get()
    status = editor_client.get(reverse("admin:reviewblog_importrun_change", args=[run.pk])).content.decode()
    download = reverse("admin:reviewblog_importrun_films", args=[run.pk])
    assert f'href="{download}"' in status
    response = editor_client.get(download)
    assert response["Content-Disposition"] == 'attachment; filename="blog-films.csv"'
    text = response.content.decode("utf-8-sig")
    assert "20,Atomic Blonde,publish,Atomic Blonde,2017," in text

    edited = text.replace("20,Atomic Blonde,publish,Atomic Blonde,2017,", "20,Atomic Blonde,publish,Ballerina,2025,")
    mapping_file = SimpleUploadedFile("films.csv", edited.encode("utf-8-sig"), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        assert post_import(editor_client, films=mapping_file).status_code == 302
    assert ImportedItem.objects.get(kind="post", source_id="20").target.film == films["ballerina"]


def test_a_broken_film_mapping_is_refused_on_the_form_with_its_line(editor_client, films):
    mapping_file = SimpleUploadedFile("films.csv", b"wordpress_id,film_title,film_year\n20,Heat,soon\n")
    response = post_import(editor_client, films=mapping_file)
    assert response.status_code == 200
    assert "Line 2: the film_year “soon” is not a year" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_an_import_taken_by_one_worker_is_never_run_by_another(editor_client):
    post_import(editor_client)  # queued; its task would come after a commit that never comes here
    first, second = ImportRun.objects.get(), ImportRun.objects.get()  # two workers read it queued
    assert first.start()
    assert not second.start()  # the one UPDATE of the first decided
    imports.run(first.pk)  # its task, run by a third, finds it taken: nothing imported, nothing deleted
    assert ImportRun.objects.get().status == ImportRun.Status.RUNNING
    assert storages["private"].exists(first.folder + "export.xml")
    assert not Review.objects.exists()


def test_a_queued_run_deleted_in_the_admin_takes_its_upload_with_it(editor_client, admin_client):
    post_import(editor_client)  # queued; its task would come after a commit that never comes here
    run = ImportRun.objects.get()
    private = storages["private"]
    assert private.exists(run.folder + "export.xml")
    response = admin_client.post(reverse("admin:reviewblog_importrun_delete", args=[run.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not ImportRun.objects.exists()
    assert not private.exists(run.folder + "export.xml")  # readers' emails and IPs went with it
