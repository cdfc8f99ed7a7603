"""Site search over published reviews, films and people.

On PostgreSQL: full-text search (django.contrib.postgres) with English stemming, weighted fields
(a title counts above a standfirst, above the body), ts_rank ordering and ts_headline marking.
Each table has a `search_document` tsvector column that PostgreSQL generates from the weighted
fields, with a GIN index (migration 0004; not a model field). The query box takes the web-search
syntax people already know: "exact phrase", -word, this or that.

On SQLite (development): the same syntax and the same kind of results, by a simpler route: every
word must appear somewhere (case-insensitive substring), and title matches rank first. Both cut
the snippet in Python, from the stretch of text with the most marked matches.

Either way the text shown is escaped first and only then marked up with <mark>, so nothing a
reader types and nothing an author wrote can inject markup into the results page.
"""

import html
import re
from dataclasses import dataclass
from functools import reduce
from operator import add

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVectorField
from django.db import connection
from django.db.models import Case, F, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

from .models import Film, Person, Review

MAX_QUERY_LENGTH = 200
CONFIG = "english"
# ts_headline marks matches with these; they are turned into <mark> only after the text is escaped.
START, STOP = "\x02", "\x03"
SNIPPET_WORDS = 35

# PostgreSQL's English stop words (tsearch_data/english.stop): ignored by the full-text search, so
# the fallback ignores them too, and a query made only of them gets its own message.
STOP_WORDS = frozenset({
    "i", "me", "my", "myself", "we", "our", "ours", "ourselves", "you", "your", "yours", "yourself", "yourselves",
    "he", "him", "his", "himself", "she", "her", "hers", "herself", "it", "its", "itself", "they", "them", "their",
    "theirs", "themselves", "what", "which", "who", "whom", "this", "that", "these", "those", "am", "is", "are",
    "was", "were", "be", "been", "being", "have", "has", "had", "having", "do", "does", "did", "doing", "a", "an",
    "the", "and", "but", "if", "or", "because", "as", "until", "while", "of", "at", "by", "for", "with", "about",
    "against", "between", "into", "through", "during", "before", "after", "above", "below", "to", "from", "up",
    "down", "in", "out", "on", "off", "over", "under", "again", "further", "then", "once", "here", "there", "when",
    "where", "why", "how", "all", "any", "both", "each", "few", "more", "most", "other", "some", "such", "no",
    "nor", "not", "only", "own", "same", "so", "than", "too", "very", "s", "t", "can", "will", "just", "don",
    "should", "now"
})  # fmt: skip

# Text a reader has not chosen to see stays out of snippets: spoilers (a <details> passage), and
# the heading permalinks and footnote back-links the Markdown renderer adds.
HIDDEN_HTML = [
    r"<details.*?</details>",
    r"<a [^>]*class=\"(?:headerlink|footnote-backref)\"[^>]*>[^<]*</a>",
]


@dataclass(frozen=True)
class Clause:
    """One condition of a query: any of `alternatives` must appear (none of them, if negated)."""

    alternatives: tuple[str, ...]
    negated: bool = False


@dataclass(frozen=True)
class Query:
    text: str = ""  # what is searched for: control characters removed, spaces collapsed, capped
    truncated: bool = False  # the reader typed more than MAX_QUERY_LENGTH characters
    clauses: tuple[Clause, ...] = ()

    @property
    def problem(self) -> str:
        """Why there is nothing to search for: "empty", "no_words", "stop_words", or "" if there is."""
        if not self.text:
            return "empty"
        if not self.clauses:
            return "stop_words" if re.search(r"\w", self.text) else "no_words"
        return ""

    @property
    def terms(self) -> list[str]:
        """The words and phrases that were looked for, to highlight; longest first."""
        found = {term for clause in self.clauses if not clause.negated for term in clause.alternatives}
        return sorted(found, key=len, reverse=True)


# Tokens of web-search syntax: an optionally negated "phrase" (the closing quote may be missing), or a word.
TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def parse(raw: str) -> Query:
    """A reader's query, made safe to search with: never raises, whatever was typed."""
    text = " ".join(re.sub(r"[\x00-\x1f\x7f]", " ", raw or "").split())
    truncated = len(text) > MAX_QUERY_LENGTH
    if truncated:
        cut = text[:MAX_QUERY_LENGTH]
        if text[MAX_QUERY_LENGTH] != " " and " " in cut:
            cut = cut.rsplit(" ", 1)[0]  # do not search for half a word
        text = cut.strip()
    return Query(text=text, truncated=truncated, clauses=tuple(_clauses(text)))


def _clauses(text: str):
    """websearch_to_tsquery's grammar, for the fallback and for telling readers why nothing was searched."""
    clauses: list[Clause] = []
    either = False
    for match in TOKEN.finditer(text):
        minus, phrase, word = match.groups()
        if word is not None:
            negated, term = word.startswith("-"), re.sub(r"^[\W_]+|[\W_]+$", "", word)
            if term.lower() == "or" and not negated:
                either = bool(clauses)
                continue
        else:
            negated, term = bool(minus), " ".join(phrase.split())
        if not any(w.lower() not in STOP_WORDS for w in re.findall(r"\w+", term)):
            continue
        if either and not negated and not clauses[-1].negated:
            clauses[-1] = Clause((*clauses[-1].alternatives, term))
        else:
            clauses.append(Clause((term,), negated))
        either = False
    return clauses


# --- What is searched, per model ---


@dataclass(frozen=True)
class Spec:
    weights: dict[str, str]  # field → weight, A highest (migration 0004 has the same, for PostgreSQL)
    shown: tuple[str, ...]  # short fields shown whole, with the matches marked
    snippet: str  # the field a snippet is cut from
    snippet_is_html: bool
    order: tuple  # among equal ranks: field names, or expressions such as F(…).desc(nulls_last=True)


REVIEW = Spec(
    weights={"title": "A", "standfirst": "B", "body": "C"},
    shown=("title", "standfirst"),
    snippet="body_html",
    snippet_is_html=True,
    order=("-published_at", "-id"),
)
FILM = Spec(
    weights={"title": "A", "synopsis": "B"},
    shown=("title",),
    snippet="synopsis",
    snippet_is_html=False,
    order=(F("release_year").desc(nulls_last=True), "title"),
)
PERSON = Spec(weights={"name": "A", "bio": "B"}, shown=("name",), snippet="bio", snippet_is_html=False, order=("name",))
SPECS = {Review: REVIEW, Film: FILM, Person: PERSON}


def stored_document(model) -> RawSQL:
    """The weighted tsvector of `spec.weights` that migration 0004 makes PostgreSQL keep on each row."""
    return RawSQL(f'"{model._meta.db_table}"."search_document"', [], output_field=SearchVectorField())


def using_postgres() -> bool:
    return connection.vendor == "postgresql"


def reviews(query: Query) -> QuerySet[Review]:
    """Published reviews matching `query`, best first."""
    queryset = Review.objects.published().for_list()
    if not using_postgres():
        queryset = queryset.defer(None).defer("body")  # snippets are cut from body_html in Python
    return _search(queryset, REVIEW, query)


def films(query: Query) -> QuerySet[Film]:
    """Films matching `query` by title or synopsis, best first."""
    return _search(Film.objects.all(), FILM, query)


def people(query: Query) -> QuerySet[Person]:
    """People matching `query` by name or bio, best first."""
    return _search(Person.objects.all(), PERSON, query)


def _search(queryset: QuerySet, spec: Spec, query: Query) -> QuerySet:
    if not query.clauses:
        return queryset.none()
    return _postgres(queryset, spec, query) if using_postgres() else _fallback(queryset, spec, query)


def _postgres(queryset: QuerySet, spec: Spec, query: Query) -> QuerySet:
    search_query = SearchQuery(query.text, search_type="websearch", config=CONFIG)
    # Whole fields with every match marked, stemming included ("fights" marks "fighting"); the
    # snippet is cut from the marked text in Python, as on SQLite. ts_headline keeps the tags of
    # body_html in this mode; plain_text() removes them, and hidden passages with them.
    headlines = {
        f"_marked_{field}": SearchHeadline(
            field, search_query, config=CONFIG, start_sel=START, stop_sel=STOP, highlight_all=True
        )
        for field in (*spec.shown, spec.snippet)
    }
    # alias(), not annotate(): the document is for matching (on its GIN index) and ranking, and
    # need not travel to Python. The headlines are computed for the rows of the page only.
    return (
        queryset.alias(document=stored_document(queryset.model))
        .filter(document=search_query)
        .annotate(rank=SearchRank(F("document"), search_query), **headlines)
        .order_by("-rank", *spec.order)
    )


FALLBACK_WEIGHTS = {"A": 10, "B": 4, "C": 2, "D": 1}  # ts_rank's defaults, 1.0 / 0.4 / 0.2 / 0.1


def _fallback(queryset: QuerySet, spec: Spec, query: Query) -> QuerySet:
    def anywhere(term):
        return reduce(Q.__or__, (Q(**{f"{field}__icontains": term}) for field in spec.weights))

    for clause in query.clauses:
        condition = reduce(Q.__or__, map(anywhere, clause.alternatives))
        queryset = queryset.exclude(condition) if clause.negated else queryset.filter(condition)
    scores = [
        Case(When(**{f"{field}__icontains": term}, then=Value(FALLBACK_WEIGHTS[weight])), default=Value(0))
        for term in query.terms
        for field, weight in spec.weights.items()
    ]
    if not scores:  # only negative clauses: nothing to rank by
        scores = [Value(0)]
    return queryset.annotate(rank=reduce(add, scores)).order_by("-rank", *spec.order)


# --- Highlighting ---


def highlight(objects, query: Query) -> list:
    """One page of results, each given `marked`: its shown fields (`marked["title"]`…) and a
    `marked["snippet"]`, as escaped HTML in which only the <mark> elements are markup."""
    objects = list(objects)
    pattern = _pattern(query.terms)
    for obj in objects:
        spec = SPECS[type(obj)]
        if using_postgres():
            fields = {field: getattr(obj, f"_marked_{field}") for field in spec.shown}
            snippet = getattr(obj, f"_marked_{spec.snippet}")
            snippet = plain_text(snippet) if spec.snippet_is_html else snippet
        else:
            fields = {field: _mark_all(getattr(obj, field), pattern) for field in spec.shown}
            snippet = getattr(obj, spec.snippet)
            snippet = _mark_all(plain_text(snippet) if spec.snippet_is_html else snippet, pattern)
        obj.marked = {field: _to_html(text) for field, text in fields.items()}
        obj.marked["snippet"] = _to_html(_excerpt(snippet))
    return objects


def plain_text(fragment: str) -> str:
    """Rendered HTML as the words a reader sees, without hidden passages (markers survive)."""
    for pattern in HIDDEN_HTML:
        fragment = re.sub(pattern, " ", fragment, flags=re.DOTALL)
    return html.unescape(strip_tags(fragment))


def _to_html(marked: str) -> SafeString:
    """Text with START/STOP markers → escaped HTML with <mark> elements; stray markers are dropped."""
    parts = re.split(f"{START}(.*?){STOP}", " ".join(marked.split()), flags=re.DOTALL)
    pieces = [escape(part.replace(START, "").replace(STOP, "")) for part in parts]
    return mark_safe("".join(f"<mark>{p}</mark>" if i % 2 and p else p for i, p in enumerate(pieces)))  # noqa: S308


def _pattern(terms: list[str]) -> re.Pattern | None:
    """Whole words containing any of the terms, as ts_headline marks whole words."""
    if not terms:
        return None
    return re.compile(r"\w*(?:" + "|".join(map(re.escape, terms)) + r")\w*", re.IGNORECASE)


def _mark_all(text: str, pattern: re.Pattern | None) -> str:
    return pattern.sub(lambda m: f"{START}{m.group()}{STOP}", text) if pattern else text


def _excerpt(marked: str) -> str:
    """About SNIPPET_WORDS words of marked text: the stretch with the most matches, else the start."""
    words = marked.split()
    lead = SNIPPET_WORDS // 4  # words of context before the first match of the stretch
    starts = [max(0, i - lead) for i, word in enumerate(words) if START in word] or [0]
    start = max(starts, key=lambda s: (sum(START in w for w in words[s : s + SNIPPET_WORDS]), -s))
    end = min(len(words), start + SNIPPET_WORDS)
    return ("… " if start else "") + " ".join(words[start:end]) + (" …" if end < len(words) else "")
