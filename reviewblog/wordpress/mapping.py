"""The film mapping: a spreadsheet of every post and its film, written by a dry run and read back.

A blog of hundreds of posts is matched in a spreadsheet, not one by one: `--dry-run` writes a row per
post (its WordPress id, title and status, the film the import would link, its year, how sure it is
and why); the editor corrects the film and year columns, and `--films FILE` makes the import use
exactly those. An empty film title means "no film": the post is an article (a list, an essay).

Written as UTF-8 with a byte-order mark so spreadsheet programs show accents right; read back whatever
the spreadsheet saved: comma, semicolon or tab separated, with or without the mark. Cells that a
spreadsheet would run as a formula (=, +, -, @) are written with a leading apostrophe.
"""

import csv
import io
from dataclasses import dataclass

COLUMNS = ["wordpress_id", "post_title", "wordpress_status", "film_title", "film_year", "confidence", "found_by"]
REQUIRED = {"wordpress_id", "film_title", "film_year"}
FORMULA = ("=", "+", "-", "@", "\t", "\r")


class MappingError(ValueError):
    """The mapping file cannot be used; the message names the line and what is wrong, for a person."""


@dataclass
class Row:
    wordpress_id: int
    post_title: str
    wordpress_status: str
    film_title: str
    film_year: int | None
    confidence: int
    found_by: str


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA) else text


def _uncell(text: str) -> str:
    text = (text or "").strip()
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA) else text


def write(rows: list[Row]) -> str:
    """The mapping as the text of a CSV file (the caller stores it: a file, or the admin's run)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(_cell(getattr(row, column)) for column in COLUMNS)
    return out.getvalue()


def read(text: str) -> dict[int, tuple[str, int | None]]:
    """WordPress post id → (film title, year or None) from an edited mapping; "" as title means no film."""
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise MappingError("The film mapping is empty: use the file a dry run wrote.")
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = {(name or "").strip() for name in reader.fieldnames or []}
    if missing := REQUIRED - header:
        raise MappingError(
            f"The film mapping has no {', '.join(sorted(missing))} column: keep the first line the dry run wrote "
            f"({', '.join(COLUMNS)})."
        )
    mapping: dict[int, tuple[str, int | None]] = {}
    try:
        for row in reader:
            row = {(key or "").strip(): value for key, value in row.items()}
            line = reader.line_num
            post = _uncell(row.get("wordpress_id") or "")
            if not post and not any((value or "").strip() for value in row.values() if isinstance(value, str)):
                continue  # an empty line a spreadsheet left
            if not post.isdigit():
                raise MappingError(f"Line {line}: the wordpress_id “{post[:40]}” is not a number.")
            year_text = _uncell(row.get("film_year") or "")
            if year_text and not (year_text.isdigit() and 1870 <= int(year_text) <= 2200):
                raise MappingError(
                    f"Line {line}: the film_year “{year_text[:20]}” is not a year (leave it empty if unknown)."
                )
            title = _uncell(row.get("film_title") or "")
            if len(title) > 200:
                raise MappingError(f"Line {line}: the film_title is longer than 200 characters.")
            if int(post) in mapping:
                raise MappingError(f"Line {line}: post {post} is listed twice.")
            mapping[int(post)] = (title, int(year_text) if year_text and title else None)
    except csv.Error as error:
        raise MappingError(f"The film mapping is not a readable CSV file: {error}.") from None
    return mapping
