import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

pytestmark = pytest.mark.django_db

XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}


def image_bytes(fmt="PNG", size=(800, 500), mode="RGB", **save_options):
    out = io.BytesIO()
    Image.new(mode, size, "teal").save(out, format=fmt, **save_options)
    return out.getvalue()


def upload(client, content, name="still.png", content_type="image/png"):
    return client.post(
        reverse("markdownx_upload"), {"image": SimpleUploadedFile(name, content, content_type=content_type)}, **XHR
    )


def stored_path(response) -> Path:
    url = response.json()["image_code"].split("(")[1].rstrip(")")
    return Path(settings.MEDIA_ROOT) / url.removeprefix(settings.MEDIA_URL)


def uploaded_files():
    folder = Path(settings.MEDIA_ROOT) / settings.EDITOR_UPLOAD_PATH
    return sorted(folder.glob("*")) if folder.exists() else []


def test_author_drops_an_image_and_gets_markdown_with_alt_text_to_fill_in(author_client):
    response = upload(author_client, image_bytes())
    assert response.status_code == 200
    code = response.json()["image_code"]
    assert code.startswith("![Describe this image](/media/uploads/")
    with Image.open(stored_path(response)) as saved:
        assert saved.format == "PNG"
        assert saved.size == (800, 500)


def test_wide_images_are_resized_to_the_maximum_width(author_client):
    response = upload(author_client, image_bytes("JPEG", size=(4000, 2000)), "wide.jpg", "image/jpeg")
    assert response.status_code == 200
    with Image.open(stored_path(response)) as saved:
        assert saved.size == (settings.IMAGE_MAX_WIDTH, settings.IMAGE_MAX_WIDTH // 2)


def test_location_and_camera_metadata_are_stripped(author_client):
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}  # GPSInfo
    original = image_bytes("JPEG", exif=exif)
    with Image.open(io.BytesIO(original)) as check:
        assert check.getexif().get(0x010F) == "SpyCam"  # the upload really carries it
    response = upload(author_client, original, "gps.jpg", "image/jpeg")
    assert response.status_code == 200
    with Image.open(stored_path(response)) as saved:
        assert dict(saved.getexif()) == {}
        assert "exif" not in saved.info
    assert b"SpyCam" not in stored_path(response).read_bytes()


@pytest.mark.parametrize(
    ("content", "name", "content_type", "reason"),
    [
        (b"this is not a picture at all", "fake.png", "image/png", "not an image we can read"),
        (image_bytes("PNG", mode="RGBA"), "really-a-png.jpg", "image/jpeg", "its content is PNG"),
        (
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "evil.svg",
            "image/svg+xml",
            "SVG images are not accepted",
        ),
        (image_bytes("BMP"), "old.bmp", "image/bmp", "BMP images are not accepted"),
        (image_bytes("PNG")[:200], "cut.png", "image/png", "not an image we can read"),
    ],
)
def test_bad_uploads_get_a_clear_reason_and_nothing_is_stored(author_client, content, name, content_type, reason):
    response = upload(author_client, content, name, content_type)
    assert response.status_code == 400
    assert reason in response.json()["error"]
    assert uploaded_files() == []


def test_files_over_the_size_limit_are_refused(author_client, settings):
    settings.IMAGE_UPLOAD_MAX_BYTES = 1024
    response = upload(author_client, image_bytes(size=(600, 600)) + b"\0" * 2048)
    assert response.status_code == 400
    assert "images must be under 1.0" in response.json()["error"]


def test_decompression_bombs_are_refused(author_client):
    # 7,000 × 6,500 pixels (45 MP: over our limit, under Pillow's own) squeezed into a few kilobytes.
    bomb = image_bytes("PNG", size=(7_000, 6_500), mode="1", optimize=True)
    assert len(bomb) < settings.IMAGE_UPLOAD_MAX_BYTES
    response = upload(author_client, bomb, "bomb.png")
    assert response.status_code == 400
    assert "too many pixels" in response.json()["error"]
    assert uploaded_files() == []


def test_uploads_answer_staff_only(client, django_user_model):
    assert upload(client, image_bytes()).status_code == 403
    client.force_login(django_user_model.objects.create_user("reader", password="x"))
    assert upload(client, image_bytes()).status_code == 403
    assert uploaded_files() == []


def test_upload_without_a_file_says_so(author_client):
    response = author_client.post(reverse("markdownx_upload"), {}, **XHR)
    assert response.status_code == 400
    assert "No image" in response.json()["error"]


def jpeg_with_corrupt_exif():
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate
    exif[0x010F] = "Cam"
    data = bytearray(image_bytes("JPEG", size=(64, 40), exif=exif))
    start = data.index(b"Exif\0\0")
    data[start + 17], data[start + 26] = 76, 105  # a tag type and a value mangled, as a fuzzer found
    return bytes(data)


def test_an_image_with_corrupt_metadata_gets_a_message_not_a_server_error(author_client):
    response = upload(author_client, jpeg_with_corrupt_exif(), "odd.jpg", "image/jpeg")
    assert response.status_code == 400
    assert "not an image we can read" in response.json()["error"]


def test_phone_photos_stored_as_mpo_are_accepted_as_jpeg(author_client):
    out = io.BytesIO()
    frames = [Image.new("RGB", (900, 600), "navy"), Image.new("RGB", (900, 600), "gray")]
    frames[0].save(out, format="MPO", save_all=True, append_images=frames[1:])
    with Image.open(io.BytesIO(out.getvalue())) as check:
        assert check.format == "MPO"
    response = upload(author_client, out.getvalue(), "IMG_0001.jpg", "image/jpeg")
    assert response.status_code == 200, response.content
    with Image.open(stored_path(response)) as saved:
        assert (saved.format, saved.size) == ("JPEG", (900, 600))


def test_animated_gifs_become_a_resized_still(author_client):
    out = io.BytesIO()
    frames = [Image.new("P", (3000, 300), i) for i in range(4)]
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    response = upload(author_client, out.getvalue(), "wide.gif", "image/gif")
    assert response.status_code == 200, response.content
    with Image.open(stored_path(response)) as saved:
        assert saved.format == "GIF"
        assert saved.size == (settings.IMAGE_MAX_WIDTH, 160)
        assert getattr(saved, "n_frames", 1) == 1
