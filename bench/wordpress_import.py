"""How long a big WordPress export takes to import, and how much memory it needs.

    python -m bench.wordpress_import [--posts 5000] [--comments 100000]

Writes a generated export (threaded comments in every status with Akismet meta, block markup) to a
temporary folder, migrates a fresh database there (SQLite; or a `<name>_wpbench` PostgreSQL database
beside the one DATABASE_URL names), and runs `manage.py import_wordpress` in a child process: prints
its seconds and peak RSS, then the second run's (everything updated). Not a test: the figures go in the
README, measured by hand.
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
HEADER = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wfw="http://wellformedweb.org/CommentAPI/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Bench blog</title><link>https://bench.example</link>
<wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>https://bench.example</wp:base_site_url>
<wp:base_blog_url>https://bench.example</wp:base_blog_url>
<wp:author><wp:author_id>1</wp:author_id><wp:author_login><![CDATA[bench]]></wp:author_login>
<wp:author_email>bench@bench.example</wp:author_email><wp:author_display_name>Bench</wp:author_display_name></wp:author>
<wp:category><wp:term_id>2</wp:term_id><wp:category_nicename>drama</wp:category_nicename>
<wp:category_parent></wp:category_parent><wp:cat_name><![CDATA[Drama]]></wp:cat_name></wp:category>
"""
PARAGRAPH = (
    "<!-- wp:paragraph --><p>A paragraph about framing, pacing and the way a score can carry a scene "
    "when the dialogue stops; <em>emphasis</em>, <strong>weight</strong> and "
    '<a href="https://bench.example/2019/01/01/post-1/">a link</a>.</p><!-- /wp:paragraph -->\n'
)
STATUSES = ["1"] * 7 + ["0", "spam", "trash"]
HISTORY = (
    'a:4:{s:4:"time";d:1560000000.5;s:7:"message";s:28:"Akismet cleared this comment";'
    's:5:"event";s:9:"check-ham";s:4:"user";s:0:"";}'
)


def comment(post: int, number: int, first_id: int) -> str:
    cid = first_id + number
    parent = first_id + number - 1 if number % 3 else 0  # threads two replies deep
    status = STATUSES[number % len(STATUSES)]
    result = "true" if status == "spam" else "false"
    kind = "pingback" if number == 19 else "comment"
    return (
        f"<wp:comment><wp:comment_id>{cid}</wp:comment_id><wp:comment_author><![CDATA[Reader {cid}]]>"
        f"</wp:comment_author><wp:comment_author_email>r{cid}@example.org</wp:comment_author_email>"
        f"<wp:comment_author_url>https://reader{cid}.example.org/</wp:comment_author_url>"
        f"<wp:comment_author_IP>203.0.113.{cid % 250}</wp:comment_author_IP>"
        f"<wp:comment_date>2019-02-01 10:{number % 60:02d}:00</wp:comment_date>"
        f"<wp:comment_date_gmt>2019-02-01 10:{number % 60:02d}:00</wp:comment_date_gmt>"
        f"<wp:comment_content><![CDATA[Comment {cid} on post {post}: I thought the second act dragged, "
        f"but the ending earned it.]]></wp:comment_content><wp:comment_approved>{status}</wp:comment_approved>"
        f"<wp:comment_type>{kind}</wp:comment_type><wp:comment_parent>{parent}</wp:comment_parent>"
        f"<wp:comment_user_id>0</wp:comment_user_id>"
        f"<wp:commentmeta><wp:meta_key>akismet_result</wp:meta_key><wp:meta_value>{result}</wp:meta_value>"
        f"</wp:commentmeta><wp:commentmeta><wp:meta_key>akismet_history</wp:meta_key>"
        f"<wp:meta_value><![CDATA[{HISTORY}]]></wp:meta_value></wp:commentmeta></wp:comment>\n"
    )


def write_export(path: Path, posts: int, comments: int) -> None:
    per_post = comments // posts
    with path.open("w") as out:
        out.write(HEADER)
        for n in range(1, posts + 1):
            title = escape(f"Film number {n} ({1950 + n % 75})")
            out.write(
                f"<item><title>{title}</title><link>https://bench.example/2019/01/01/post-{n}/</link>"
                f"<dc:creator>bench</dc:creator><content:encoded><![CDATA["
                f"<!-- wp:heading --><h2>Part {n}</h2><!-- /wp:heading -->\n{PARAGRAPH * 6}"
                f"<!-- wp:list --><ul><li>One</li><li>Two</li></ul><!-- /wp:list -->\n"
                f"<!-- wp:paragraph --><p>Rating: {1 + n % 5} out of 5</p><!-- /wp:paragraph -->]]></content:encoded>"
                f"<excerpt:encoded><![CDATA[]]></excerpt:encoded><wp:post_id>{n}</wp:post_id>"
                f"<wp:post_date>2019-01-01 10:00:00</wp:post_date>"
                f"<wp:post_date_gmt>2019-01-01 10:00:00</wp:post_date_gmt>"
                f"<wp:comment_status>open</wp:comment_status><wp:post_name>post-{n}</wp:post_name>"
                f"<wp:status>publish</wp:status><wp:post_type>post</wp:post_type><wp:is_sticky>0</wp:is_sticky>"
                f'<category domain="category" nicename="drama"><![CDATA[Drama]]></category>\n'
            )
            first_id = 1_000_000 + n * per_post
            out.writelines(comment(n, c, first_id) for c in range(per_post))
            out.write("</item>\n")
        out.write("</channel></rss>\n")


def database_url(folder: Path) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        base, name = url.rsplit("/", 1)
        bench = f"{base}/{name}_wpbench"
        subprocess.run(["dropdb", "--if-exists", f"{name}_wpbench"], check=False, capture_output=True)
        return bench
    return f"sqlite:///{folder / 'bench.sqlite3'}"


def timed(args: list[str], env: dict) -> tuple[float, float, int, str]:
    """(seconds, CPU seconds, peak RSS in MB, output) of a manage.py command run in a child process.

    The CPU seconds are the child's own (user + system): on a shared machine the wall clock also counts
    the time other work kept it waiting (and, with PostgreSQL, the server's work is in neither)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode:
        sys.exit(done.stderr)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return seconds, cpu, max(after.ru_maxrss, before.ru_maxrss) // 1024, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=5000)
    parser.add_argument("--comments", type=int, default=100_000)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wpbench-") as temp:
        folder = Path(temp)
        export = folder / "export.xml"
        write_export(export, options.posts, options.comments)
        size = export.stat().st_size / 1024 / 1024
        env = {**os.environ, "MEDIA_ROOT": str(folder / "media"), "DATABASE_URL": database_url(folder)}
        # As in production: DEBUG off (with it on, Django keeps every query's SQL), so a key of its own.
        env |= {"DEBUG": "0", "SECRET_KEY": "wordpress-import-bench-only", "LOG_LEVEL": "WARNING"}
        if env["DATABASE_URL"].startswith("postgres"):
            subprocess.run(["createdb", env["DATABASE_URL"].rsplit("/", 1)[1]], check=False, capture_output=True)
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        print(f"export: {options.posts} posts, {options.comments} comments, {size:.0f} MB")
        # Each run is its own child, so each peak RSS is that run's alone (ru_maxrss of the largest child).
        for label in ("first run", "second run (all updated)"):
            seconds, cpu, peak, output = timed(["import_wordpress", str(export), "--create-films"], env)
            print(f"{label}: {seconds:.0f} s ({cpu:.0f} s of CPU), peak RSS {peak} MB")
            print("\n".join("   " + line for line in output.splitlines()[1:4]))


if __name__ == "__main__":
    main()
