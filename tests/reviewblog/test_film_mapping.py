"""The film mapping: a dry run writes every post's film to a spreadsheet, the editor corrects it, and
--films makes the import follow it exactly."""

import csv
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from reviewblog.models import ImportedItem
from reviewblog.wordpress import mapping
from reviews.models import Film, Review
from tests.factories import FilmFactory

from .film_blog import CATALOGUE, POSTS, write_export

pytestmark = pytest.mark.django_db


@pytest.fixture
def export(tmp_path, db):
    for title, year in CATALOGUE:
        FilmFactory(title=title, release_year=year)
    return write_export(tmp_path / "cinephile.xml")


def run(export, *args) -> str:
    out = StringIO()
    call_command("import_wordpress", str(export), *args, stdout=out)
    return out.getvalue()


def read_rows(path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.DictReader(file))


def write_rows(path, rows, delimiter=",") -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]), delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)


def film_of(post_id):
    review = ImportedItem.objects.get(kind="post", source_id=str(post_id)).target
    return (review.film.title, review.film.release_year) if review.film else None


def test_a_dry_run_writes_every_post_with_its_guess_beside_the_export(export):
    report = run(export, "--dry-run")
    written = export.with_name("cinephile-films.csv")
    assert f"written to {written}" in report
    rows = {int(row["wordpress_id"]): row for row in read_rows(written)}
    assert set(rows) == {post.id for post in POSTS}
    heat = rows[101]
    assert (heat["post_title"], heat["film_title"], heat["film_year"]) == (
        "Heat (1995): Mann's city of ghosts",
        "Heat",
        "1995",
    )
    assert int(heat["confidence"]) >= 80 and heat["found_by"] == "the title, with its year"
    assert rows[103]["film_title"] == "Past Lives" and int(rows[103]["confidence"]) < 80
    assert rows[119]["film_title"] == ""  # a top 10 list
    assert Review.objects.count() == 0 and not Film.objects.filter(title="Past Lives").exists()


def test_the_edited_mapping_is_followed_exactly(export, tmp_path):
    run(export, "--dry-run", "--films-out", str(tmp_path / "films.csv"))
    rows = read_rows(tmp_path / "films.csv")
    edits = {
        "103": ("Past Lives", "2023"),  # confirmed as guessed
        "113": ("Zone of Interest, The", "2023"),  # the editor's spelling of a new film
        "109": ("Heat", "1995"),  # moved to another catalogue film
        "119": ("Challengers", "2024"),  # a list the editor files under one film
        "101": ("", ""),  # no film: an article
        "118": ("Poor Things", "2023"),  # the year the guess did not know
    }
    for row in rows:
        if row["wordpress_id"] in edits:
            row["film_title"], row["film_year"] = edits[row["wordpress_id"]]
    write_rows(tmp_path / "films.csv", rows, delimiter=";")  # as a European spreadsheet saves it

    run(export, "--films", str(tmp_path / "films.csv"))
    expected = {int(row["wordpress_id"]): row for row in rows}
    for post in POSTS:
        row = expected[post.id]
        got = film_of(post.id)
        if not row["film_title"]:
            assert got is None, post.title
        elif row["film_year"]:
            assert got == (row["film_title"], int(row["film_year"])), post.title
        else:  # no year: the film of that title, whichever year it has (post 124 joins 119's Challengers)
            assert got[0] == row["film_title"], post.title
    assert not Review.objects.filter(film_to_check=True).exists()  # the editor decided every one
    assert Film.objects.filter(title="Heat").count() == 1  # catalogue films are found, not made again


def test_a_mapping_names_a_film_by_its_exact_year(export, tmp_path):
    """A guess takes a film one year off (released later elsewhere); an editor's year is meant exactly."""
    (tmp_path / "films.csv").write_text("wordpress_id,film_title,film_year\n101,Heat,1996\n", encoding="utf-8")
    run(export, "--films", str(tmp_path / "films.csv"))
    assert film_of(101) == ("Heat", 1996)
    assert Film.objects.filter(title="Heat").count() == 2


def test_a_mapping_on_a_second_import_changes_the_films_already_imported(export, tmp_path):
    run(export, "--create-films")
    (tmp_path / "films.csv").write_text("wordpress_id,film_title,film_year\n103,Aftersun,2022\n", encoding="utf-8")
    run(export, "--films", str(tmp_path / "films.csv"))
    assert film_of(103) == ("Aftersun", 2022)
    assert film_of(101) == ("Heat", 1995)  # posts the mapping leaves out keep theirs


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "The film mapping is empty"),
        ("id,title\n1,Heat\n", "has no film_title, film_year, wordpress_id column"),
        ("wordpress_id,film_title,film_year\nabc,Heat,1995\n", "Line 2: the wordpress_id “abc” is not a number"),
        ("wordpress_id,film_title,film_year\n101,Heat,nineteen\n", "Line 2: the film_year “nineteen” is not a year"),
        ("wordpress_id,film_title,film_year\n101,Heat,1995\n101,Heat,1995\n", "Line 3: post 101 is listed twice"),
    ],
)
def test_a_broken_mapping_is_refused_with_the_line_and_what_is_wrong(export, tmp_path, text, message):
    (tmp_path / "films.csv").write_text(text, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        run(export, "--films", str(tmp_path / "films.csv"))
    assert Review.objects.count() == 0


def test_a_mapping_naming_posts_not_in_the_export_says_so(export, tmp_path):
    (tmp_path / "films.csv").write_text("wordpress_id,film_title,film_year\n999,Heat,1995\n", encoding="utf-8")
    assert "the film mapping names posts that are not in this export: 999" in run(
        export, "--films", str(tmp_path / "films.csv")
    )


def test_titles_a_spreadsheet_would_run_as_formulas_are_written_as_text_and_read_back():
    text = mapping.write([mapping.Row(7, '=HYPERLINK("x")', "publish", "-1 Minute", 2020, 50, "the title")])
    assert "'=HYPERLINK" in text and "'-1 Minute" in text
    assert mapping.read(text) == {7: ("-1 Minute", 2020)}
