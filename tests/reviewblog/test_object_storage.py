"""The WordPress import and export with media in S3-compatible object storage (a real S3 server on 127.0.0.1):
the blog's images go to the media bucket, the admin's upload waits in the private one and goes after the run."""

import urllib.error
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client

from reviewblog import imports
from reviewblog.models import ImportedItem, ImportRun
from tests.factories import ReviewFactory
from tests.s3_server import MEDIA_BUCKET, PRIVATE_BUCKET

from .conftest import FIXTURES, write_image
from .test_admin_import import post_import, uploads_zip
from .test_export_wordpress import NS, export, items, meta, parse

pytestmark = pytest.mark.django_db


def media_url(s3, name="") -> str:
    return f"{s3.url}/{MEDIA_BUCKET}/{name}"


def local_files(media_root) -> list:
    return [path for path in media_root.rglob("*") if path.is_file()] if media_root.exists() else []


def test_the_import_command_stores_the_blogs_images_in_the_bucket_and_old_addresses_lead_there(
    films, uploads, s3_media, media_root
):
    call_command("import_wordpress", str(FIXTURES / "blog.xml"), "--media", str(uploads), stdout=StringIO())
    poster = ImportedItem.objects.get(kind="attachment", source_id="11").file
    assert poster.startswith("wordpress/2025/06/ballerina-poster") and poster in s3_media.stored()
    review = ImportedItem.objects.get(kind="post", source_id="10").target
    assert review.hero_image.name == poster
    assert f"]({media_url(s3_media, poster)})" in review.body  # the post's image, from the bucket
    old = Client().get("/wp-content/uploads/2025/06/ballerina-poster.jpg")
    assert (old.status_code, old["Location"]) == (301, media_url(s3_media, poster))
    assert s3_media.get(old["Location"]).startswith(b"\xff\xd8")  # a JPEG, to anyone
    assert local_files(media_root) == []


def test_an_import_from_the_admin_waits_in_the_private_bucket_and_its_upload_goes_after_the_run(
    editor_client, films, uploads, s3_media, media_root
):
    post_import(editor_client, uploads=uploads_zip(uploads), create_films="on")  # queued: no commit here
    run = ImportRun.objects.get()
    waiting = s3_media.stored(PRIVATE_BUCKET)
    assert waiting == [f"private/imports/{run.key}/export.xml", f"private/imports/{run.key}/uploads.zip"]
    assert s3_media.stored(MEDIA_BUCKET) == [] and local_files(media_root) == []
    with pytest.raises(urllib.error.HTTPError, match="403"):  # readers' emails and IPs: not for anyone to fetch
        s3_media.get(f"{s3_media.url}/{PRIVATE_BUCKET}/{waiting[0]}")

    imports.run(run.pk)  # the worker, which has only the storage in common with the web server
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE, run.report
    assert s3_media.stored(PRIVATE_BUCKET) == []
    hero = ImportedItem.objects.get(kind="post", source_id="10").target.hero_image
    assert hero.name.startswith("wordpress/2025/06/ballerina-poster") and hero.name in s3_media.stored()
    assert local_files(media_root) == []


def test_a_failed_import_from_the_admin_deletes_its_upload_too(editor_client, s3_media):
    post_import(editor_client, export=FIXTURES / "billion_laughs.xml")
    run = ImportRun.objects.get()
    assert len(s3_media.stored(PRIVATE_BUCKET)) == 1
    imports.run(run.pk)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED and "declares XML entities" in run.report
    assert s3_media.stored(PRIVATE_BUCKET) == []


def test_the_export_writes_images_in_the_bucket_as_the_sites_own_attachments(s3_media, tmp_path):
    write_image(tmp_path / "dancer.jpg", "JPEG")
    name = default_storage.save("uploads/dancer.jpg", ContentFile((tmp_path / "dancer.jpg").read_bytes()))
    ReviewFactory(body=f"![A dancer]({default_storage.url(name)})", title="Ballerina")
    (attachment,) = items(parse(export()), "attachment")
    assert meta(attachment)["_wp_attached_file"] == name
    assert attachment.findtext("wp:attachment_url", namespaces=NS) == media_url(s3_media, name)
