"""A WordPress export shaped like a real film blog's: titles as bloggers write them, not "Film (2019)".

Each way a post names its film appears at least twice, mixed with lists, essays, drafts and a scheduled
post; sections under a "Reviews" category, year tags, links to film databases, "Directed by" lines.
`POSTS` says what a person reading the blog would call each post's film; the tests check the import
agrees.
"""

from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

SITE = "https://cinephile.example"


@dataclass
class Post:
    id: int
    title: str
    body: str
    film: str | None  # the film a reader would name (None: about no single film)
    year: int | None = None
    status: str = "publish"
    categories: list[tuple[str, str]] = field(default_factory=list)  # (slug, name)
    tags: list[tuple[str, str]] = field(default_factory=list)
    slug: str = ""
    date: str = "2024-03-01 18:00:00"
    comments: int = 1


REVIEW = "<h2>Direction</h2><p>{}</p><h2>Acting</h2><p>Every face earns its close-up.</p><p>Rating: 4 out of 5.</p>"

# The catalogue a blog's new owner already has (some films are here, others must be made).
CATALOGUE = [
    ("Heat", 1995),
    ("The Dark Knight", 2008),
    ("Les Misérables", 2012),
    ("Le Samouraï", 1967),
    ("Dune: Part Two", 2024),
    ("Crouching Tiger, Hidden Dragon", 2000),
]

POSTS = [
    # The year inside the title, a subtitle after it.
    Post(101, "Heat (1995): Mann's city of ghosts", REVIEW.format("Two men, one city."), "Heat", 1995),
    Post(102, "Collateral (2004): a night in Los Angeles", REVIEW.format("A cab, a clock."), "Collateral", 2004),
    Post(103, "Past Lives [2023] – a review", REVIEW.format("Two lives, one bar."), "Past Lives", 2023),
    Post(104, "Aftersun [2022] - a review", REVIEW.format("A holiday remembered."), "Aftersun", 2022),
    Post(105, "Review: Dune: Part Two (2024)", REVIEW.format("Sand, at scale."), "Dune: Part Two", 2024),
    Post(
        106,
        "Film review: Oppenheimer",
        REVIEW.format("Theory, then fire."),
        "Oppenheimer",
        2023,
        tags=[("2023", "2023")],
    ),
    # The year after a comma.
    Post(107, "Nope, 2022", REVIEW.format("Look up, then don't."), "Nope", 2022),
    Post(108, "Tár, 2022 – film review", REVIEW.format("A baton, a fall."), "Tár", 2022),
    # No year anywhere; an article, the case or an accent away from the catalogue.
    Post(109, "the dark knight", REVIEW.format("A city that needs a villain."), "The Dark Knight", 2008),
    Post(110, "Les Miserables: a musical that earns its tears", REVIEW.format("Sung through."), "Les Misérables", 2012),
    Post(111, "Le Samouraï, cinquante ans après", REVIEW.format("Un chapeau, un silence."), "Le Samouraï", 1967),
    Post(
        112,
        "crouching tiger hidden dragon",
        REVIEW.format("Bamboo and gravity."),
        "Crouching Tiger, Hidden Dragon",
        2000,
    ),
    # The film only in a category under "Reviews"; the year in a tag or the body.
    Post(
        113,
        "A quiet devastation",
        REVIEW.format("A garden by a wall."),
        "The Zone of Interest",
        2023,
        categories=[("the-zone-of-interest", "The Zone of Interest")],
        tags=[("films-of-2023", "Films of 2023")],
    ),
    Post(
        114,
        "Second chances, on trial",
        "<p>Directed by Justine Triet, 2023, 151 min.</p>" + REVIEW.format("A fall, a dog, a court."),
        "Anatomy of a Fall",
        2023,
        categories=[("anatomy-of-a-fall", "Anatomy of a Fall")],
    ),
    # The film only in a link to a film database.
    Post(
        115,
        "Why I keep going back to this one",
        '<p>On <a href="https://letterboxd.com/film/perfect-days/">Letterboxd</a> it is '
        '<a href="https://letterboxd.com/film/perfect-days/">Perfect Days</a>.</p>'
        "<p>Directed by Wim Wenders (2023).</p>" + REVIEW.format("Toilets, trees, tapes."),
        "Perfect Days",
        2023,
    ),
    Post(
        116,
        "Late to the party",
        '<p>I finally saw <a href="https://en.wikipedia.org/wiki/Drive_(2011_film)">this</a>.</p>'
        + REVIEW.format("A toothpick and a jacket."),
        "Drive",
        2011,
    ),
    Post(
        117,
        "The one with the tiger",
        '<p>Catalogued on <a href="https://www.imdb.com/title/tt0190332/">Crouching Tiger, Hidden Dragon</a>.</p>'
        + REVIEW.format("Again, the bamboo."),
        "Crouching Tiger, Hidden Dragon",
        2000,
    ),
    Post(
        118,
        "Strange and lovely",
        '<p><a href="https://www.themoviedb.org/movie/792307-poor-things">TMDB</a> says 141 minutes.</p>'
        + REVIEW.format("A city of glass."),
        "Poor Things",
        None,
    ),
    # About no single film: lists, essays, a festival diary.
    Post(
        119,
        "My top 10 films of 2024",
        "<ol><li>Dune: Part Two</li><li>Challengers</li></ol>",
        None,
        categories=[("lists", "Lists")],
    ),
    Post(120, "Festival diary: Berlinale, day three", "<p>Four films, one queue, no sleep.</p>", None),
    Post(
        121,
        "The best heist films, ranked",
        '<p><a href="https://www.imdb.com/title/tt0113277/">Heat</a>, '
        '<a href="https://letterboxd.com/film/thief/">Thief</a> and '
        '<a href="https://www.imdb.com/title/tt0369339/">Collateral</a>.</p>',
        None,
    ),
    Post(122, "On slowness", "<p>An essay about films that take their time.</p>", None),
    # Scheduled and draft posts keep their status.
    Post(
        123,
        "Civil War [2024] – a review",
        REVIEW.format("A road, a press pass."),
        "Civil War",
        2024,
        status="future",
        date="2031-04-12 09:00:00",
    ),
    Post(124, "Notes toward a review: Challengers", "<p>Half-written.</p>", "Challengers", None, status="draft"),
]

TERMS = """
<wp:category><wp:term_id>2</wp:term_id><wp:category_nicename><![CDATA[reviews]]></wp:category_nicename>
<wp:category_parent><![CDATA[]]></wp:category_parent><wp:cat_name><![CDATA[Reviews]]></wp:cat_name></wp:category>
<wp:category><wp:term_id>3</wp:term_id><wp:category_nicename><![CDATA[the-zone-of-interest]]></wp:category_nicename>
<wp:category_parent><![CDATA[reviews]]></wp:category_parent>
<wp:cat_name><![CDATA[The Zone of Interest]]></wp:cat_name></wp:category>
<wp:category><wp:term_id>4</wp:term_id><wp:category_nicename><![CDATA[anatomy-of-a-fall]]></wp:category_nicename>
<wp:category_parent><![CDATA[reviews]]></wp:category_parent>
<wp:cat_name><![CDATA[Anatomy of a Fall]]></wp:cat_name></wp:category>
<wp:category><wp:term_id>5</wp:term_id><wp:category_nicename><![CDATA[lists]]></wp:category_nicename>
<wp:category_parent><![CDATA[]]></wp:category_parent><wp:cat_name><![CDATA[Lists]]></wp:cat_name></wp:category>
<wp:tag><wp:term_id>6</wp:term_id><wp:tag_slug><![CDATA[2023]]></wp:tag_slug><wp:tag_name><![CDATA[2023]]></wp:tag_name></wp:tag>
<wp:tag><wp:term_id>7</wp:term_id><wp:tag_slug><![CDATA[films-of-2023]]></wp:tag_slug>
<wp:tag_name><![CDATA[Films of 2023]]></wp:tag_name></wp:tag>
"""


def slug_of(post: Post) -> str:
    return post.slug or f"post-{post.id}"


def permalink(post: Post) -> str:
    """The blog's permalinks are /%year%/%monthnum%/%postname%/."""
    return f"/{post.date[:4]}/{post.date[5:7]}/{slug_of(post)}/"


def item(post: Post) -> str:
    terms = "".join(
        f'<category domain="{domain}" nicename="{slug}"><![CDATA[{name}]]></category>'
        for domain, pairs in (("category", post.categories or [("reviews", "Reviews")]), ("post_tag", post.tags))
        for slug, name in pairs
    )
    comments = "".join(
        f"<wp:comment><wp:comment_id>{post.id * 10 + n}</wp:comment_id>"
        f"<wp:comment_author><![CDATA[Reader {n}]]></wp:comment_author>"
        f"<wp:comment_author_email>reader{n}@example.org</wp:comment_author_email>"
        f"<wp:comment_date_gmt>2024-03-02 10:00:00</wp:comment_date_gmt>"
        f"<wp:comment_content><![CDATA[I saw it twice, comment {n}.]]></wp:comment_content>"
        f"<wp:comment_approved>1</wp:comment_approved><wp:comment_parent>0</wp:comment_parent></wp:comment>"
        for n in range(post.comments)
    )
    return f"""<item>
<title><![CDATA[{post.title}]]></title>
<link>{SITE}{permalink(post)}</link>
<dc:creator><![CDATA[ava]]></dc:creator>
<content:encoded><![CDATA[{post.body}]]></content:encoded>
<excerpt:encoded><![CDATA[]]></excerpt:encoded>
<wp:post_id>{post.id}</wp:post_id>
<wp:post_date><![CDATA[{post.date}]]></wp:post_date>
<wp:post_date_gmt><![CDATA[{post.date}]]></wp:post_date_gmt>
<wp:comment_status><![CDATA[open]]></wp:comment_status>
<wp:post_name><![CDATA[{escape(slug_of(post))}]]></wp:post_name>
<wp:status><![CDATA[{post.status}]]></wp:status>
<wp:post_parent>0</wp:post_parent>
<wp:post_type><![CDATA[post]]></wp:post_type>
<wp:is_sticky>0</wp:is_sticky>
{terms}
{comments}
</item>
"""


def write_export(path: Path, posts=POSTS) -> Path:
    path.write_text(
        f"""<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wfw="http://wellformedweb.org/CommentAPI/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Cinephile</title><link>{SITE}</link>
<wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>{SITE}</wp:base_site_url><wp:base_blog_url>{SITE}</wp:base_blog_url>
<wp:author><wp:author_id>1</wp:author_id><wp:author_login><![CDATA[ava]]></wp:author_login>
<wp:author_email>ava@cinephile.example</wp:author_email><wp:author_display_name>Ava</wp:author_display_name></wp:author>
{TERMS}
{"".join(item(post) for post in posts)}
</channel></rss>
""",
        encoding="utf-8",
    )
    return path
