"""What an import did, counted per kind, in words for the person who ran it."""

from collections import Counter, defaultdict


class Report:
    KINDS = ["posts", "pages", "comments", "images", "authors", "genres", "films", "old links"]

    def __init__(self):
        self.counts: dict[str, Counter] = defaultdict(Counter)
        self.skipped: dict[str, Counter] = defaultdict(Counter)
        self.films_to_check: list[str] = []
        self.articles: list[str] = []
        self.missing_media: list[str] = []
        self.sticky: list[str] = []
        self.notes: list[str] = []

    def count(self, kind: str, outcome: str, n: int = 1) -> None:
        self.counts[kind][outcome] += n

    def skip(self, kind: str, reason: str) -> None:
        self.counts[kind]["skipped"] += 1
        self.skipped[kind][reason] += 1

    def missing(self, rel: str, post_id: int | None, why: str) -> None:
        where = f" (post {post_id})" if post_id else ""
        line = f"wp-content/uploads/{rel}{where}: {why}"
        if line not in self.missing_media:
            self.missing_media.append(line)

    def render(self, *, dry_run: bool) -> str:
        lines = ["Dry run: nothing was saved. This is what the import would do." if dry_run else "Import finished."]
        for kind in self.KINDS:
            counts = self.counts.get(kind, Counter())
            usual = ("imported", "updated", "unchanged", "skipped")
            outcomes = [*usual, *sorted(set(counts) - set(usual))]  # "matched an existing user", say
            parts = [f"{counts[o]} {o}" for o in outcomes if counts[o]]
            if not parts:
                continue  # never an empty "authors:" line
            line = f"  {kind}: {', '.join(parts)}"
            if reasons := self.skipped.get(kind):
                line += " (" + "; ".join(f"{n} {why}" for why, n in sorted(reasons.items())) + ")"
            lines.append(line)
        for title, items in (
            (
                "Films to check (guessed: published as in WordPress, and listed under “Film to check” in the "
                "admin's reviews)",
                self.films_to_check,
            ),
            ("Posts about no single film (published as articles)", self.articles),
            ("Missing or refused images (the old address was kept)", self.missing_media),
            ("Sticky posts (this site has no sticky posts; noted so you can feature them)", self.sticky),
            ("Notes", self.notes),
        ):
            if items:
                lines.append(f"{title}: {len(items)}")
                lines.extend(f"  - {item}" for item in items)
        return "\n".join(lines)
