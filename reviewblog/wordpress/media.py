"""Images of the old blog: found under --media by their wp-content/uploads/… path, passed through the same
checks as the editor's uploads (reviews/images.py), stored once, and remembered by their WordPress id."""

import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from reviews.images import check_image

from ..models import ImportedItem

UPLOADS = "wp-content/uploads/"
SIZED = re.compile(r"-\d+x\d+(?=\.[A-Za-z0-9]+$)")  # poster-300x200.jpg, a size WordPress made of poster.jpg
STORED_UNDER = "wordpress/"


def upload_path(url: str) -> str | None:
    """ "https://old.example/wp-content/uploads/2019/05/poster.jpg?x=1" → "2019/05/poster.jpg"."""
    path = unquote(urlsplit(url).path)
    if UPLOADS not in path:
        return None
    rel = path.split(UPLOADS, 1)[1].lstrip("/")
    return rel if rel and ".." not in Path(rel).parts else None


def attached_file(value) -> str | None:
    """An attachment's `_wp_attached_file` meta ("2019/05/poster.jpg", its path under the uploads folder),
    for an attachment whose address is not under wp-content/uploads (an export of this site, say)."""
    if not isinstance(value, str) or not value.strip():
        return None
    rel = Path(value.strip())
    if rel.is_absolute() or ".." in rel.parts or value.strip().startswith(("/", "\\")):
        return None
    return rel.as_posix()


@dataclass
class Attachment:
    id: int
    rel: str  # its path under wp-content/uploads/
    alt: str = ""
    caption: str = ""  # WordPress keeps an image's caption as its excerpt
    title: str = ""
    link: str = ""
    url: str = ""


class MediaLibrary:
    """The export's attachments (read in the first pass) and the files made of them."""

    def __init__(self, importer, media_dir: Path | None):
        self.importer = importer
        self.media_dir = Path(media_dir) if media_dir else None
        self.by_id: dict[int, Attachment] = {}
        self.by_rel: dict[str, Attachment] = {}
        self.by_url: dict[str, Attachment] = {}  # attachments whose address is not under wp-content/uploads
        self.stored: dict[str, str] = {}  # rel → new URL, for this run

    def add(self, attachment: Attachment) -> None:
        self.by_id[attachment.id] = attachment
        self.by_rel[attachment.rel] = attachment
        if attachment.url and upload_path(attachment.url) is None:
            self.by_url[urlsplit(attachment.url)._replace(query="", fragment="").geturl()] = attachment

    def find(self, url: str) -> tuple[Attachment | None, str | None]:
        rel = upload_path(url)
        if rel is None:
            attachment = self.by_url.get(urlsplit(url)._replace(query="", fragment="").geturl())
            return (attachment, attachment.rel) if attachment else (None, None)
        original = SIZED.sub("", rel)
        return self.by_rel.get(rel) or self.by_rel.get(original), rel

    def alt_for(self, url: str) -> str:
        attachment, _ = self.find(url)
        return attachment.alt if attachment else ""

    def rewrite(self, url: str, *, post_id: int) -> str:
        """The new address of an image shown in a post (or a link to one); the old one if it cannot be had."""
        attachment, rel = self.find(url)
        if rel is None:
            return url
        item = self.store(attachment, post_id=post_id) if attachment else self.store_loose(rel, post_id=post_id)
        if item is None:
            return url
        new_url = default_storage.url(item.file)
        self.importer.link(f"/{UPLOADS}{rel}", url=new_url)  # the sized copy other sites may show, too
        return new_url

    def store(self, attachment: Attachment, *, post_id: int | None = None) -> ImportedItem | None:
        item = self._store(attachment.rel, str(attachment.id), post_id=post_id)
        if item is not None:
            item.data = {**item.data, "alt": attachment.alt, "title": attachment.title}
            self.importer.save_item(item)
            url = default_storage.url(item.file)
            self.importer.link(f"/?attachment_id={attachment.id}", url=url)
            if attachment.link:
                self.importer.link(self.importer.local_path(attachment.link), url=url)
        return item

    def store_loose(self, rel: str, *, post_id: int) -> ImportedItem | None:
        """A file under uploads that no attachment names (WordPress's sized copies, files added by FTP)."""
        original = SIZED.sub("", rel)
        source_path = self._source(original)
        return self._store(original if source_path else rel, f"file:{original if source_path else rel}", post_id)

    def _source(self, rel: str) -> Path | None:
        if self.media_dir is None:
            return None
        for base in (self.media_dir, self.media_dir / UPLOADS):
            if (candidate := base / rel).is_file():
                return candidate
        return None

    def _store(self, rel: str, source_id: str, post_id: int | None) -> ImportedItem | None:
        importer = self.importer
        item = importer.existing(ImportedItem.Kind.ATTACHMENT, source_id)
        if item and item.file and (rel in self.stored or importer.dry_run or default_storage.exists(item.file)):
            self.stored[rel] = item.file
            return item
        if rel in self.stored and item:
            return item
        source = self._source(rel)
        if source is None:
            importer.report.missing(rel, post_id, "no --media folder given" if self.media_dir is None else "not found")
            return None
        data = source.read_bytes()
        content_type = mimetypes.guess_type(source.name)[0] or "application/octet-stream"
        try:
            checked = check_image(SimpleUploadedFile(source.name, data, content_type=content_type))
        except ValidationError as error:
            importer.report.missing(rel, post_id, "refused: " + " ".join(error.messages))
            return None
        name = f"{STORED_UNDER}{rel.rsplit('.', 1)[0]}.{checked.extension}"
        if not importer.dry_run:
            name = default_storage.save(name, ContentFile(checked.content))
        outcome = "updated" if item else "imported"
        item = item or ImportedItem(source=importer.source, kind=ImportedItem.Kind.ATTACHMENT, source_id=source_id)
        item.file = name
        importer.save_item(item)
        importer.report.count("images", outcome)
        self.stored[rel] = name
        importer.link(f"/{UPLOADS}{rel}", url=default_storage.url(name))
        return item
