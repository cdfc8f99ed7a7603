"""A streaming reader of WordPress's export format (WXR 1.0–1.2, written by Tools → Export).

`read()` yields the export's authors, terms and items one at a time and forgets each once yielded, so
memory stays flat however large the file. defusedxml parses it: an entity declaration (the "billion
laughs") or an external entity is refused, never expanded or fetched. Anything else that is not a
well-formed export raises `ExportError` with a message for the person running the import.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, iterparse

from .php import PHPValueError, unserialize

# Namespace URI → the prefix WordPress writes; WXR 1.0, 1.1 and 1.2 differ only in the version number.
NAMESPACES = {
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://wellformedweb.org/CommentAPI/": "wfw",
}
WP_PREFIX = "http://wordpress.org/export/"
EXCERPT_PREFIX = "http://wordpress.org/export/1."  # …/excerpt/
DEFAULT_MAX_POST_BYTES = 2 * 1024 * 1024


class ExportError(Exception):
    """The file is not an export we can import safely; nothing was imported."""


@lru_cache(maxsize=256)  # an export uses a few dozen names, each thousands of times
def tag(name: str) -> str:
    """ "{http://wordpress.org/export/1.2/}post_id" → "wp:post_id"."""
    if not name.startswith("{"):
        return name
    uri, local = name[1:].split("}", 1)
    if uri in NAMESPACES:
        return f"{NAMESPACES[uri]}:{local}"
    if uri.startswith(WP_PREFIX):
        return f"excerpt:{local}" if uri.rstrip("/").endswith("excerpt") else f"wp:{local}"
    return local


@dataclass
class Author:
    login: str
    id: str = ""
    email: str = ""
    display_name: str = ""
    first_name: str = ""
    last_name: str = ""


@dataclass
class Term:
    kind: str  # "category" or "tag"
    slug: str
    name: str
    id: str = ""
    parent: str = ""  # the parent category's slug


@dataclass
class Comment:
    id: int
    author: str = ""
    email: str = ""
    url: str = ""
    ip: str = ""
    date_gmt: datetime | None = None
    content: str = ""
    approved: str = "1"  # "1", "0", "spam", "trash", "post-trashed"
    type: str = ""  # "", "comment", "pingback", "trackback"
    parent: int = 0
    user_id: int = 0
    agent: str = ""
    meta: dict = field(default_factory=dict)


@dataclass
class Item:
    id: int
    post_type: str = "post"
    title: str = ""
    link: str = ""
    creator: str = ""
    content: str = ""
    excerpt: str = ""
    date: datetime | None = None  # the blog's local time, as in its permalinks
    date_gmt: datetime | None = None
    modified: datetime | None = None  # the last edit, local time; WordPress's "updated" date
    modified_gmt: datetime | None = None
    slug: str = ""
    status: str = "publish"
    parent: int = 0
    sticky: bool = False
    comments_open: bool = True
    attachment_url: str = ""
    terms: list[Term] = field(default_factory=list)
    meta: dict = field(default_factory=dict)
    comments: list[Comment] = field(default_factory=list)


@dataclass
class Site:
    title: str = ""
    link: str = ""
    base_site_url: str = ""
    base_blog_url: str = ""
    wxr_version: str = ""


def parse_date(text: str) -> datetime | None:
    """WordPress's "2019-05-03 20:15:00"; "0000-00-00 00:00:00" (a draft never dated) is None."""
    text = (text or "").strip()
    if not text or text.startswith("0000"):
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None


def as_int(text: str | None) -> int:
    try:
        return int((text or "0").strip())
    except ValueError:
        return 0


def _children(element) -> dict[str, str]:
    return {tag(child.tag): (child.text or "") for child in element}


def _meta(element, key_tag: str, value_tag: str) -> tuple[str, object]:
    key = element.findtext(f"{{*}}{key_tag}") or ""
    value = element.findtext(f"{{*}}{value_tag}") or ""
    if key in ("akismet_history", "akismet_as_submitted") or value[:2] in ("a:", "O:"):
        try:
            return key, unserialize(value)
        except PHPValueError:
            return key, value
    return key, value


def _comment(element) -> Comment:
    fields = _children(element)
    comment = Comment(
        id=as_int(fields.get("wp:comment_id")),
        author=fields.get("wp:comment_author", ""),
        email=fields.get("wp:comment_author_email", ""),
        url=fields.get("wp:comment_author_url", ""),
        ip=fields.get("wp:comment_author_IP", ""),
        date_gmt=parse_date(fields.get("wp:comment_date_gmt", "")) or parse_date(fields.get("wp:comment_date", "")),
        content=fields.get("wp:comment_content", ""),
        approved=fields.get("wp:comment_approved", "1").strip(),
        type=fields.get("wp:comment_type", "").strip(),
        parent=as_int(fields.get("wp:comment_parent")),
        user_id=as_int(fields.get("wp:comment_user_id")),
        agent=fields.get("wp:comment_agent", ""),
    )
    for meta in element.iter():
        if tag(meta.tag) == "wp:commentmeta":
            key, value = _meta(meta, "meta_key", "meta_value")
            if key == "akismet_history":  # one row per event
                comment.meta.setdefault(key, []).append(value)
            else:
                comment.meta[key] = value
    return comment


def _item(element) -> Item:
    item = Item(id=0)
    for child in element:
        name, text = tag(child.tag), child.text or ""
        match name:
            case "title":
                item.title = text.strip()
            case "link":
                item.link = text.strip()
            case "dc:creator":
                item.creator = text.strip()
            case "content:encoded":
                item.content = text
            case "excerpt:encoded":
                item.excerpt = text
            case "wp:post_id":
                item.id = as_int(text)
            case "wp:post_date":
                item.date = parse_date(text)
            case "wp:post_date_gmt":
                item.date_gmt = parse_date(text)
            case "wp:post_modified":
                item.modified = parse_date(text)
            case "wp:post_modified_gmt":
                item.modified_gmt = parse_date(text)
            case "wp:post_name":
                item.slug = text.strip()
            case "wp:status":
                item.status = text.strip()
            case "wp:post_parent":
                item.parent = as_int(text)
            case "wp:post_type":
                item.post_type = text.strip()
            case "wp:comment_status":
                item.comments_open = text.strip() != "closed"
            case "wp:is_sticky":
                item.sticky = text.strip() == "1"
            case "wp:attachment_url":
                item.attachment_url = text.strip()
            case "category":
                domain = child.get("domain", "")
                kind = {"category": "category", "post_tag": "tag"}.get(domain)
                if kind:
                    item.terms.append(Term(kind=kind, slug=child.get("nicename", ""), name=text.strip()))
            case "wp:postmeta":
                key, value = _meta(child, "meta_key", "meta_value")
                item.meta[key] = value
            case "wp:comment":
                item.comments.append(_comment(child))
    return item


def _author(element) -> Author:
    fields = _children(element)
    return Author(
        login=fields.get("wp:author_login", "").strip(),
        id=fields.get("wp:author_id", "").strip(),
        email=fields.get("wp:author_email", "").strip(),
        display_name=fields.get("wp:author_display_name", "").strip(),
        first_name=fields.get("wp:author_first_name", "").strip(),
        last_name=fields.get("wp:author_last_name", "").strip(),
    )


def _term(element, kind: str) -> Term:
    fields = _children(element)
    if kind == "category":
        return Term(
            kind=kind,
            id=fields.get("wp:term_id", "").strip(),
            slug=fields.get("wp:category_nicename", "").strip(),
            name=fields.get("wp:cat_name", "").strip(),
            parent=fields.get("wp:category_parent", "").strip(),
        )
    return Term(
        kind=kind,
        id=fields.get("wp:term_id", "").strip(),
        slug=fields.get("wp:tag_slug", "").strip(),
        name=fields.get("wp:tag_name", "").strip(),
    )


def read(path, *, max_post_bytes: int = DEFAULT_MAX_POST_BYTES) -> Iterator[Site | Author | Term | Item]:
    """Yield the Site (once, before the first item), then Authors, Terms and Items in file order."""
    site, site_sent, channel = Site(), False, None
    try:
        events = iterparse(str(path), events=("start", "end"), forbid_dtd=False)
        depth = 0
        for event, element in events:
            if event == "start":
                depth += 1
                if depth == 1 and tag(element.tag) != "rss":
                    raise ExportError("This is not a WordPress export: it does not start with <rss>.")
                if depth == 2 and tag(element.tag) == "channel":
                    channel = element
                continue
            depth -= 1
            if depth != 2 or channel is None:
                continue
            name = tag(element.tag)
            if name == "item":
                if not site_sent:
                    site_sent = True
                    yield _checked_site(site)
                item = _item(element)
                size = len(item.content.encode())
                if size > max_post_bytes:
                    raise ExportError(
                        f"Post {item.id} (“{item.title[:60]}”) has {size // 1024:,} KB of text, over the limit of "
                        f"{max_post_bytes // 1024:,} KB (--max-post-kb); nothing was imported."
                    )
                yield item
                channel.clear()  # the item, and everything before it, is forgotten
            elif name == "wp:author":
                yield _author(element)
            elif name == "wp:category":
                yield _term(element, "category")
            elif name == "wp:tag":
                yield _term(element, "tag")
            elif name == "title":
                site.title = (element.text or "").strip()
            elif name == "link":
                site.link = (element.text or "").strip()
            elif name == "wp:base_site_url":
                site.base_site_url = (element.text or "").strip()
            elif name == "wp:base_blog_url":
                site.base_blog_url = (element.text or "").strip()
            elif name == "wp:wxr_version":
                site.wxr_version = (element.text or "").strip()
        if not site_sent:
            yield _checked_site(site)
    except DefusedXmlException as error:
        raise ExportError(
            f"The export declares XML entities ({type(error).__name__}), which WordPress never writes and which can "
            "expand to gigabytes or read files from the server: refused, nothing was imported."
        ) from None
    except ParseError as error:
        line, column = getattr(error, "position", (0, 0))
        raise ExportError(
            f"The export is not well-formed XML at line {line}, column {column} (a file cut short by an interrupted "
            f"download ends like this): {error.msg if hasattr(error, 'msg') else error}. Nothing was imported."
        ) from None
    except OSError as error:
        raise ExportError(f"Cannot read the export: {error}") from None


def _checked_site(site: Site) -> Site:
    if not site.wxr_version:
        raise ExportError("This is not a WordPress export: it has no <wp:wxr_version>.")
    return site


def gmt(date: datetime | None) -> datetime | None:
    return date.replace(tzinfo=UTC) if date else None
