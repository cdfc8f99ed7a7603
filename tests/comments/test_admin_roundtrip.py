"""The moderators' edit form, saved as a browser sends it: what the reader wrote stays as they wrote it."""

import pytest

from comments.models import Comment
from tests.factories import CommentFactory
from tests.test_admin_roundtrip import resave_unchanged

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("status", Comment.Status.values)
@pytest.mark.parametrize("body", ["One line.", "First paragraph.\n\nSecond one.", "Typed in a browser.\r\n\r\nCRLF."])
def test_a_comment_saved_unchanged_by_a_moderator_keeps_its_words_and_logs_no_edit(status, body, moderator, client):
    comment = CommentFactory(status=status, body=body, author_url="https://reader.example/")
    assert resave_unchanged(client, moderator, comment) is None
