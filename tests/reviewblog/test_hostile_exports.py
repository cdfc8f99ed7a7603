"""Hostile or broken exports are refused with a clear message, and nothing is imported."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from comments.models import Comment
from reviewblog.models import ImportedItem, OldLink
from reviews.models import Review

from .conftest import FIXTURES

pytestmark = pytest.mark.django_db


def refused(path) -> str:
    with pytest.raises(CommandError) as error:
        call_command("import_wordpress", str(path), stdout=StringIO())
    assert Review.objects.count() == Comment.objects.count() == ImportedItem.objects.count() == 0
    assert OldLink.objects.count() == 0
    return str(error.value)


def test_entity_expansion_is_refused():
    assert "declares XML entities" in refused(FIXTURES / "billion_laughs.xml")


def test_external_entities_are_refused_never_read():
    message = refused(FIXTURES / "external_entity.xml")
    assert "declares XML entities" in message and "root:" not in message


def test_a_truncated_file_is_refused_though_its_first_posts_are_whole(films):
    message = refused(FIXTURES / "truncated.xml")
    assert "not well-formed XML at line" in message and "cut short" in message


def test_a_comment_whose_parent_is_missing_is_refused(films):
    message = refused(FIXTURES / "missing_parent.xml")
    assert "Comment 103 on post 10" in message and "answers comment 999" in message


def test_a_post_with_ten_megabytes_of_text_is_refused(films, tmp_path):
    export = (FIXTURES / "blog.xml").read_text()
    huge = "<p>" + "Far too long. " * (10 * 1024 * 1024 // 14) + "</p>"
    path = tmp_path / "huge.xml"
    path.write_text(export.replace("<p>Only for me.</p>", huge))
    message = refused(path)
    assert "Post 32" in message and "over the limit of 2,048 KB" in message


def test_a_file_that_is_not_an_export_is_refused(tmp_path):
    path = tmp_path / "feed.xml"
    path.write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>A feed</title></channel></rss>')
    assert "not a WordPress export" in refused(path)
    path.write_text("<html><body>Not even RSS</body></html>")
    assert "does not start with <rss>" in refused(path)
