"""Which film a WordPress post is about, found the way a person reading the blog would.

Real film blogs do not title posts "Film (2019)". The title may carry the year anywhere ("Heat (1995):
Mann's city of ghosts", "Past Lives [2023] – a review", "Nope, 2022"), a prefix or suffix ("Review:",
"– a review"), a subtitle after a colon or dash; or say nothing, leaving the film to a category
("Reviews › Past Lives"), a tag ("2024"), a link to IMDb, Letterboxd, TMDB or Wikipedia, or a
"Directed by …, 2024" line. Titles are compared by `title_key`, which ignores case, accents,
punctuation and a leading article in the languages film blogs are written in.

`guess_film` weighs all of it and returns a `Guess`: the film found in the catalogue, or the title and
year to make one from, or none (a list, an essay, a festival diary), with a confidence from 0 to 100
and the clue it rests on, in words for the report and the mapping file (see mapping.py).
"""

import html
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import unquote

from reviews.models import Film

from . import wxr

# An export of this site (`export_wordpress`) names the film in two private post meta keys: they win.
FILM_TITLE_META, FILM_YEAR_META = "_reviewblog_film_title", "_reviewblog_film_year"
# A guess at or above this is taken as it is; below it, the post is flagged "film to check".
SURE = 80
# Not a guess: a person named the film (a mapping, this site's own export), so its year is meant exactly.
NAMED = 100

# Leading articles that a catalogue and a blog may disagree on ("the dark knight", "Samouraï, Le").
ARTICLES = {
    "the", "a", "an",  # English
    "le", "la", "les", "l", "un", "une",  # French (l' is split off by the punctuation)
    "el", "los", "las", "lo",  # Spanish, Italian
    "il", "gli", "i",  # Italian
    "der", "die", "das", "den", "dem", "ein", "eine",  # German
    "de", "het", "een",  # Dutch
    "o", "os", "as",  # Portuguese
}  # fmt: skip

YEAR = r"(?:18[89]\d|19\d\d|20\d\d)"
BRACKETED_YEAR = re.compile(rf"\s*[\(\[]\s*({YEAR})\s*[\)\]]")
TRAILING_YEAR = re.compile(rf"\s*,\s*({YEAR})\s*$")  # "Nope, 2022"
REVIEW_WORDS = r"(?:film|movie)?\s*(?:review|reviewed|critique|kritik|recensione|reseña|crítica|recensie)"
# "Review:", "Film review –", "Notes toward a review:", "Mini-review |"
PREFIX = re.compile(rf"^\s*(?:[\w'’-]+\s+){{0,3}}(?:mini-?)?{REVIEW_WORDS}\s*(?:of\s+)?[:\-–—|]\s*", re.I)
SUFFIX = re.compile(rf"\s*(?:[:\-–—|,]\s*|\(\s*)(?:(?:a|my|the|our)\s+)?{REVIEW_WORDS}\s*\)?\s*$", re.I)
SEPARATOR = re.compile(r"\s*(?::\s+|\s[-–—|]\s|,\s+)")
LIST_WORDS = re.compile(
    r"\b(?:top\s*\d+|top\s+(?:ten|five|twenty)|best\s+(?:films|movies|of)|worst\s+(?:films|movies|of)|ranked|ranking|"
    r"festival|diary|dispatch|round-?up|podcast|essay|films\s+of|movies\s+of|watchlist|month\s+in|year\s+in)\b",
    re.I,
)
DIRECTED = re.compile(rf"directed\s+by\s+[^\n<]{{2,80}}?[,(]\s*({YEAR})\b|\(\s*({YEAR})\s*,\s*dir(?:\.|ected)", re.I)
RATING = re.compile(r"\b(?:rating|score|verdict)\s*:\s*\d|[★⭐]{2,}|\b\d(?:[.,]5)?\s*(?:/|out of)\s*(?:5|10)\b", re.I)
# The sections of a review: "Direction", "Acting", "Cinematography" as headings.
REVIEW_SECTIONS = re.compile(
    r"<h[2-6][^>]*>\s*(?:direction|acting|performances?|writing|screenplay|cinematography|special effects)\s*</h", re.I
)
WIKI_YEAR_FILM = re.compile(rf"\s*\((?:({YEAR})\s+)?(?:[a-z]+\s+)?film\)\s*$", re.I)
TAG = re.compile(r"<[^<>]*>")

# Links to the film databases readers know; each gives an id (one film per id) and maybe a title.
# Every repetition is bounded and no run crosses a "<": a post of 2 MB of broken markup reads in linear time.
DATABASE_LINK = re.compile(
    r"""<a\s[^<>]{0,300}?href=["']?(https?://(?:[\w-]+\.){0,3}(?:imdb\.com/title/(tt\d+)|letterboxd\.com/film/"""
    r"""([\w-]+)|themoviedb\.org/movie/(\d+)(?:-([\w-]+))?|(\w\w)\.wikipedia\.org/wiki/([^"'\s<>#?]+))[^"'\s<>]*)"""
    r"""["']?[^<>]{0,300}>([^<]{0,300}(?:<[^<>]{0,100}>[^<]{0,300}){0,3}?)</a>""",
    re.I,
)
LINK_WORDS = re.compile(r"(?:imdb|letterboxd|tmdb|wikipedia|here|this|link|trailer)", re.I)
# Categories that hold reviews rather than name a genre; a category under one of them names a film.
SECTIONS = {"review", "reviews", "film", "films", "movie", "movies", "critique", "critiques", "kritik"}
SECTIONS |= {f"{kind} {word}" for kind in ("film", "movie") for word in ("review", "reviews")}


def title_key(title: str) -> str:
    """A title as people recognise it: no accents, case, punctuation or leading article."""
    text = unicodedata.normalize("NFKD", html.unescape(title or ""))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold().replace("&", " and ")
    words = re.sub(r"[\W_]+", " ", text).split()
    if len(words) > 1 and words[0] in ARTICLES:
        words = words[1:]
    return " ".join(words)


def is_subtitle_of_film(rest: str) -> bool:
    """ "Part Two" or "Hidden Dragon" (title case) continues a film's title; "Mann's city of ghosts",
    "cinquante ans après" or "the stairwell" is the blogger talking."""
    words = [word for word in re.findall(r"[^\W\d_][\w'’]*", rest) if len(word) > 3]
    return bool(words) and all(word[0].isupper() for word in words)


@dataclass
class Guess:
    """What a post is about: a catalogue film, or a title (and maybe a year) to make one, or nothing."""

    title: str = ""
    year: int | None = None
    confidence: int = 0
    found_by: str = "no film named anywhere"
    film: Film | None = None

    @property
    def sure(self) -> bool:
        return self.confidence >= SURE


@dataclass
class Clue:
    title: str
    year: int | None
    weight: int  # how much this clue alone says the post is about that title
    found_by: str


class Catalogue:
    """The films already here, by title key: loaded once per import, kept up to date as films are made."""

    def __init__(self):
        self.by_key: dict[str, list[Film]] = defaultdict(list)
        for film in Film.objects.only("pk", "title", "release_year", "slug"):
            self.add(film)

    def add(self, film: Film) -> None:
        self.by_key[title_key(film.title)].append(film)

    def find(self, title: str, year: int | None, *, exact: bool = False) -> Film | None:
        """The one film with this title (and year, when known; unless `exact`, a year off by one is a release
        date that differs by country). None when there is none, or several and nothing to choose between."""
        films = self.by_key.get(title_key(title), [])
        if year:
            same_year = [film for film in films if film.release_year == year]
            if len(same_year) == 1:
                return same_year[0]
            close = [film for film in films if film.release_year and abs(film.release_year - year) == 1]
            films = close if not same_year and not exact else []
        return films[0] if len(films) == 1 else None


def split_title(title: str) -> tuple[list[Clue], int | None, bool]:
    """Clues from a post's title, best first; the year it gives; whether it reads like a review."""
    text = html.unescape(title or "").strip()
    review_like = bool(PREFIX.search(text) or SUFFIX.search(text))
    text = SUFFIX.sub("", PREFIX.sub("", text)).strip()
    year, weight, found_by = None, 45, "the title"
    if match := BRACKETED_YEAR.search(text):
        # The year closes the film's title: "Heat (1995): Mann's city of ghosts" is about Heat.
        year, text, weight = int(match.group(1)), text[: match.start()].strip(), 75
    elif match := TRAILING_YEAR.search(text):
        year, text, weight = int(match.group(1)), text[: match.start()].strip(), 60
    if year:
        review_like, found_by = True, "the title, with its year"
    clues = [Clue(text, year, weight, found_by)]
    parts = SEPARATOR.split(text, maxsplit=1)
    if len(parts) == 2 and all(parts):
        first, rest = parts
        if is_subtitle_of_film(rest):  # "Dune: Part Two", "Crouching Tiger, Hidden Dragon"
            clues.append(Clue(first, year, weight - 10, found_by + " before its subtitle"))
        else:  # "Le Samouraï, cinquante ans après"
            clues.insert(0, Clue(first, year, weight, found_by + " before the blogger's subtitle"))
        clues.append(Clue(rest, year, 30, found_by + " after its colon"))  # "From the World of John Wick: Ballerina"
    return [clue for clue in clues if clue.title], year, review_like


def database_links(content: str) -> dict[str, Clue]:
    """Film-database links in the body, one clue per film they point at (keyed by the database's id)."""
    found: dict[str, Clue] = {}
    for match in DATABASE_LINK.finditer(content or ""):
        _, imdb, letterboxd, tmdb, tmdb_slug, _lang, wiki, text = match.groups()
        link_text = html.unescape(TAG.sub("", text)).strip()
        year = None
        if imdb:
            key, title, site = f"imdb:{imdb}", named(link_text, ""), "an IMDb link"
        elif letterboxd:
            slug = unquote(letterboxd)
            if m := re.search(rf"-({YEAR})$", slug):  # letterboxd.com/film/heat-1995/
                year, slug = int(m.group(1)), slug[: m.start()]
            key, title, site = f"letterboxd:{letterboxd}", named(link_text, slug), "a Letterboxd link"
        elif tmdb:
            key, title, site = f"tmdb:{tmdb}", named(link_text, tmdb_slug or ""), "a TMDB link"
        else:
            page = unquote(wiki).replace("_", " ")
            if m := WIKI_YEAR_FILM.search(page):  # "Heat (1995 film)", "Past Lives (film)"
                year = int(m.group(1)) if m.group(1) else None
                page = page[: m.start()]
            elif "(" in page:
                continue  # "Paris (city)" is not a film
            key, title, site = f"wikipedia:{title_key(page)}", page, "a Wikipedia link"
        # The first link to a film may say "Letterboxd"; a later one its title, which beats the slug's words.
        if title and (key not in found or (link_text and not LINK_WORDS.fullmatch(link_text))):
            found[key] = Clue(title, year or (found[key].year if key in found else None), 55, site)
    return found


def named(link_text: str, slug: str) -> str:
    """The film a link names: its text, unless that is "IMDb" or "here"; else its address's words (a film
    made from them gets its capitals from `as_title`)."""
    if link_text and not LINK_WORDS.fullmatch(link_text):
        return link_text
    return unquote(slug).replace("-", " ")


YEAR_TERM = re.compile(rf"(?:(?:films?|movies?|reviews?|released)\s+(?:of|from|in)\s+)?({YEAR})s?", re.I)


def term_role(term: wxr.Term, terms: dict[tuple[str, str], wxr.Term], depth: int = 0) -> tuple[str, int | None]:
    """What a category or tag stands for on a film blog: ("year", 2024) for "2024" or "Films of 2024";
    ("section", None) for "Reviews" or "Films"; ("film", None) for a category under one of those; else
    ("", None): a genre or a topic."""
    name = html.unescape(term.name).strip()
    if match := YEAR_TERM.fullmatch(name):
        return "year", int(match.group(1))
    if title_key(name) in SECTIONS:
        return "section", None
    full = terms.get((term.kind, term.slug), term)
    parent = terms.get(("category", full.parent)) if full.parent else None
    # A broken export may make a category its own ancestor: ten levels is deeper than any blog goes.
    if parent is not None and depth < 10 and term_role(parent, terms, depth + 1)[0] == "section":
        return "film", None
    return "", None


def term_clues(item: wxr.Item, terms: dict[tuple[str, str], wxr.Term]) -> tuple[list[Clue], int | None]:
    """A category under "Reviews" or "Films" names the film; a category or tag like "2024" or
    "Films of 2024" gives its year."""
    clues, year = [], None
    for term in item.terms:
        role, term_year = term_role(term, terms)
        name = html.unescape(term.name).strip()
        if role == "year":
            year = year or term_year
        elif role == "film":
            clues.append(Clue(name, None, 55, f"its category {name}"))
        elif role == "":
            clues.append(Clue(name, None, 0, f"its {term.kind} {name}"))  # counts only if the catalogue has it
    return clues, year


def body_year(content: str) -> int | None:
    if match := DIRECTED.search(TAG.sub(" ", content or "")):
        return int(match.group(1) or match.group(2))
    return None


def guess_film(item: wxr.Item, catalogue: Catalogue, terms: dict[tuple[str, str], wxr.Term] | None = None) -> Guess:
    """The film a post is about, with how sure that is (see the module's docstring)."""
    title_clues, title_year, review_like = split_title(item.title)
    links = database_links(item.content)
    tag_clues, term_year = term_clues(item, terms or {})
    year = title_year or term_year or body_year(item.content)
    text = TAG.sub(" ", item.content or "")
    review_like = (
        review_like
        or bool(links)
        or bool(RATING.search(text) or REVIEW_SECTIONS.search(item.content or "") or body_year(item.content))
    )

    clues = [*title_clues, *links.values(), *tag_clues]
    # A list, or a text linking to several films, is about one film only if its title says so.
    about_many = bool(LIST_WORDS.search(item.title or "")) or len(links) > 1
    # Found in the catalogue: the strongest clue that names a film here wins.
    for clue in sorted(title_clues if about_many else clues, key=lambda c: -c.weight):
        if film := catalogue.find(clue.title, clue.year or year):
            confidence = 95 if (clue.year or year) and film.release_year else 85
            agrees = sum(1 for other in clues if other is not clue and title_key(other.title) == title_key(film.title))
            return Guess(film.title, film.release_year, min(100, confidence + 5 * agrees), clue.found_by, film)

    if LIST_WORDS.search(item.title or ""):
        return Guess(confidence=85, found_by="the title reads like a list, an essay or a diary")
    if len(links) > 1 and not title_year:
        return Guess(confidence=60, found_by=f"the text links to {len(links)} different films")
    # Not in the catalogue: the best clue is the film to make, if the post reads like a review of it.
    candidates = [clue for clue in clues if clue.weight > 0]
    if not candidates:
        return Guess()
    best = max(candidates, key=lambda c: c.weight)
    agrees = sum(1 for other in candidates if other is not best and title_key(other.title) == title_key(best.title))
    confidence = best.weight + 10 * agrees + (5 if year else 0)
    if not review_like and best.weight < 55:
        return Guess(confidence=20, found_by=f"maybe “{best.title}” ({best.found_by}), but nothing says it is a review")
    return Guess(as_title(best.title)[:200], best.year or year, min(confidence, SURE - 1), best.found_by)


SMALL_WORDS = {"a", "an", "and", "as", "at", "but", "by", "for", "in", "of", "on", "or", "the", "to", "vs"}


def as_title(text: str) -> str:
    """A film's title as a catalogue writes it: "the dark knight" → "The Dark Knight". A title with any
    capital letter is kept as the blogger spelled it."""
    text = " ".join(text.split())
    if text != text.lower():
        return text
    words = text.split(" ")
    return " ".join(
        word if 0 < i < len(words) - 1 and word in SMALL_WORDS else word[:1].upper() + word[1:]
        for i, word in enumerate(words)
    )
