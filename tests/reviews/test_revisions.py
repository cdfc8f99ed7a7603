import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from reviews.models import Review
from reviews.revisions import body_diff
from tests.browser_form import admin_errors, browser_form
from tests.factories import FilmFactory, ReviewFactory, UserFactory, image_file
from tests.reviews.test_admin import change_url, review_form

pytestmark = pytest.mark.django_db


def history_url(review):
    return reverse("admin:reviews_review_history", args=[review.pk])


def compare_url(record, **query):
    url = reverse("admin:reviews_review_revision_compare", args=[record.id, record.history_id])
    return f"{url}?against={query['against']}" if query else url


def restore_url(record):
    return reverse("admin:reviews_review_simple_history", args=[record.id, record.history_id])


def save_as(user, review, **changes):
    """A save by `user`, as the admin makes it."""
    for name, value in changes.items():
        setattr(review, name, value)
    review._history_user = user
    review.save()
    return review.history.latest()


def form_data(html, **overrides):
    """What a browser sends when the restore form is submitted, with `overrides` typed in."""
    return {**browser_form(html), **overrides}


def marked(html, tag):
    """The texts inside <del> or <ins>, without the words only screen readers hear."""
    html = re.sub(r'<span class="visually-hidden">[^<]*</span>', "", html)
    return re.findall(rf"<{tag}>(.*?)</{tag}>", html, flags=re.S)


@pytest.fixture
def drafted(author):
    """A review with two revisions by its author: first written, then rewritten."""
    review = ReviewFactory(author=author, title="First thoughts", body="## Fights\n\nThe stairs fight is great.")
    review.history.update(history_user=author)
    save_as(author, review, title="Second thoughts", body="## Fights\n\nThe stairs fight is superb.")
    return review


def test_saving_a_review_in_the_admin_keeps_a_revision_recording_who_saved_it(author_client, author):
    review = ReviewFactory(author=author)
    response = author_client.post(change_url(review), review_form(review.film, title="Tidied up"))
    assert response.status_code == 302, response.content.decode()[:2000]
    latest = review.history.latest()
    assert (latest.title, latest.history_user, latest.history_type) == ("Tidied up", author, "~")
    assert review.history.count() == 2


def test_saving_the_admin_form_unchanged_keeps_no_new_revision(author_client, author):
    review = ReviewFactory(author=author, published_at=timezone.now().replace(microsecond=0))
    before = review.history.count()
    for _ in range(3):
        form = browser_form(author_client.get(change_url(review)).content.decode())
        assert author_client.post(change_url(review), form).status_code == 302

    assert review.history.count() == before
    form = browser_form(author_client.get(change_url(review)).content.decode())
    author_client.post(change_url(review), {**form, "standfirst": "Sharper now."})
    assert review.history.count() == before + 1  # a change still makes one
    assert review.history.latest().standfirst == "Sharper now."


def test_the_history_page_lists_who_saved_what_and_when(author_client, author, drafted, editor):
    Review.objects.filter(pk=drafted.pk).move_to(Review.Status.DRAFT, by=editor)
    html = author_client.get(history_url(drafted)).content.decode()
    listing = re.search(r'<table id="change-history".*?<tbody>(.*?)</tbody>', html, flags=re.S)[1]
    rows = re.findall(r"<tr>(.*?)</tr>", listing, flags=re.S)
    assert len(rows) == 3
    unpublished, rewritten, created = (re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)) for row in rows)
    assert editor.get_full_name() in unpublished and "Moved back to draft" in unpublished
    assert author.get_full_name() in rewritten and "Changed the title and body" in rewritten
    assert "Created and published" in created
    when = timezone.localtime(drafted.history.latest().history_date)
    assert f'datetime="{when.isoformat()}"' in html
    assert "Current version" in rows[0] and "Restore" not in rows[0]
    assert "Restore" in rows[1] and "Restore" in rows[2]


def test_the_history_page_runs_a_fixed_number_of_queries(editor_client, author, django_assert_num_queries):
    # Scheduled: publishing it again leaves its date alone (a draft published now is dated now).
    review = ReviewFactory(author=author, published_at=timezone.now() + timedelta(days=1))
    for n in range(19):
        save_as(
            author, review, title=f"Take {n}", rating=Decimal(["4.5", "4"][n % 2]), status=["draft", "published"][n % 2]
        )
    assert review.history.count() == 20
    ContentType.objects.clear_cache()  # the same count whichever test ran before
    with django_assert_num_queries(9):
        response = editor_client.get(history_url(review))
    assert response.content.decode().count("Changed the title and rating") == 19


def test_a_long_history_is_paged_and_each_page_still_says_what_changed(editor_client, author):
    review = ReviewFactory(author=author)
    for n in range(55):
        save_as(author, review, title=f"Take {n}")
    first_page = editor_client.get(history_url(review)).content.decode()
    assert first_page.count("Changed the title") == 50
    second_page = editor_client.get(history_url(review), {"p": 2}).content.decode()
    assert second_page.count("Changed the title") == 5
    assert "Created and published" in second_page
    assert "56 revisions" in second_page


def test_the_compare_page_shows_the_words_removed_and_added_since_a_revision(author_client, drafted):
    first = drafted.history.earliest()
    html = author_client.get(compare_url(first)).content.decode()
    assert marked(html, "del") == ["great", "First thoughts"]
    assert marked(html, "ins") == ["superb", "Second thoughts"]
    # Unchanged lines of the body are shown around the change, as they were written.
    assert "## Fights" in html


def test_the_compare_page_can_show_what_one_save_changed(author_client, drafted, author):
    save_as(author, drafted, standfirst="Now with a better standfirst.")
    middle = drafted.history.all()[1]
    html = author_client.get(compare_url(middle, against="previous")).content.decode()
    assert marked(html, "del") == ["great", "First thoughts"]
    assert marked(html, "ins") == ["superb", "Second thoughts"]
    assert "better standfirst" not in html


def test_the_compare_page_shows_markup_in_a_body_as_text(author_client, author):
    review = ReviewFactory(author=author, body="Plain words.")
    first = review.history.latest()
    save_as(author, review, body='Plain words. <script>alert("x")</script> <b>bold</b>')
    html = author_client.get(compare_url(first)).content.decode()
    assert "<script>alert" not in html and "<b>bold" not in html
    assert any(
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &lt;b&gt;bold&lt;/b&gt;" in text
        for text in marked(html, "ins")
    )


def test_the_compare_page_copes_with_a_film_deleted_since(author_client, author):
    review = ReviewFactory(author=author, film=FilmFactory(title="Wrong film"))
    first = review.history.latest()
    wrong = review.film
    save_as(author, review, film=FilmFactory(title="Right film"))
    wrong.delete()
    response = author_client.get(compare_url(first))
    assert response.status_code == 200
    assert marked(response.content.decode(), "del") == ["(deleted since)"]


def test_restoring_an_older_revision_brings_it_back_and_is_itself_a_revision(author_client, author, drafted):
    first = drafted.history.earliest()
    form = author_client.get(restore_url(first))
    assert form.status_code == 200
    html = form.content.decode()
    assert 'value="First thoughts"' in html and "The stairs fight is great." in html

    response = author_client.post(restore_url(first), form_data(html))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response.url == history_url(drafted)
    drafted.refresh_from_db()
    assert (drafted.title, drafted.body) == ("First thoughts", "## Fights\n\nThe stairs fight is great.")
    assert "<p>The stairs fight is great.</p>" in drafted.body_html
    restored = drafted.history.latest()
    assert drafted.history.count() == 3
    assert restored.history_user == author
    assert restored.history_change_reason.startswith("Restored the revision of ")
    listing = author_client.get(response.url).content.decode()
    assert "Restored “First thoughts” to its revision of" in listing
    assert "Restored the revision of" in listing

    # The text it replaced is a revision like any other, so the restore can be undone.
    replaced = drafted.history.all()[1]
    author_client.post(restore_url(replaced), form_data(author_client.get(restore_url(replaced)).content.decode()))
    drafted.refresh_from_db()
    assert drafted.title == "Second thoughts"
    assert "superb" in drafted.body_html


def test_restoring_keeps_the_address_and_publishing_settings_as_they_are_now(editor_client, author):
    review = ReviewFactory(author=author, status=Review.Status.DRAFT, title="Draft title")
    draft = review.history.latest()
    save_as(author, review, title="Live title", slug="live-title", status=Review.Status.PUBLISHED)
    html = editor_client.get(restore_url(draft)).content.decode()
    assert 'value="Draft title"' in html
    assert '<option value="published" selected>' in html
    assert 'value="live-title"' in html
    editor_client.post(restore_url(draft), form_data(html))
    review.refresh_from_db()
    assert (review.title, review.slug, review.status) == ("Draft title", "live-title", Review.Status.PUBLISHED)


def test_a_restore_must_pass_the_same_checks_as_any_save(author_client, author):
    review = ReviewFactory(author=author, hero_image=image_file("hero.jpg"), hero_alt="Eve on a stage.")
    with_hero = review.history.latest()
    save_as(author, review, title="Later")
    html = author_client.get(restore_url(with_hero)).content.decode()
    response = author_client.post(restore_url(with_hero), form_data(html, hero_alt=""))
    assert response.status_code == 200
    assert "Describe the hero image" in response.content.decode()
    review.refresh_from_db()
    assert review.title == "Later" and review.history.count() == 2


def test_a_revision_whose_image_is_gone_is_not_restored_with_a_broken_image(author_client, author):
    review = ReviewFactory(author=author, hero_image=image_file("hero.jpg"), hero_alt="Eve on a stage.")
    with_hero = review.history.latest()
    review.hero_image.delete(save=False)
    save_as(author, review, hero_image="", hero_alt="", title="Without a picture")
    html = author_client.get(restore_url(with_hero)).content.decode()
    response = author_client.post(restore_url(with_hero), form_data(html))
    assert response.status_code == 200
    assert "no longer stored" in response.content.decode()
    review.refresh_from_db()
    assert review.title == "Without a picture"


def test_another_author_cannot_see_compare_or_restore_someone_elses_revisions(author_client, other_author):
    theirs = ReviewFactory(author=other_author, title="Theirs")
    first = theirs.history.latest()
    save_as(other_author, theirs, title="Theirs, edited")
    for url in [history_url(theirs), compare_url(first), compare_url(first, against="previous"), restore_url(first)]:
        assert author_client.get(url).status_code == 404, url
    response = author_client.post(restore_url(first), review_form(theirs.film, title="Hijacked"))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.title == "Theirs, edited" and theirs.history.count() == 2


def test_staff_without_the_right_to_change_reviews_get_no_revisions(client, author):
    review = ReviewFactory(author=author)
    client.force_login(UserFactory(username="milo", group="Moderators"))
    assert client.get(history_url(review)).status_code in (403, 404)
    assert client.get(compare_url(review.history.latest())).status_code in (403, 404)


def test_a_revision_of_another_review_is_not_found(author_client, author):
    mine, other = ReviewFactory(author=author), ReviewFactory(author=author)
    url = reverse("admin:reviews_review_simple_history", args=[mine.pk, other.history.latest().history_id])
    assert author_client.get(url).status_code == 404


def test_an_editor_can_compare_and_restore_anyones_review(editor_client, editor, author, drafted):
    first = drafted.history.earliest()
    assert editor_client.get(history_url(drafted)).status_code == 200
    assert editor_client.get(compare_url(first)).status_code == 200
    html = editor_client.get(restore_url(first)).content.decode()
    response = editor_client.post(restore_url(first), form_data(html))
    assert response.status_code == 302
    drafted.refresh_from_db()
    assert drafted.title == "First thoughts" and drafted.author == author
    assert drafted.history.latest().history_user == editor


def test_an_author_restoring_a_review_they_took_over_keeps_it_theirs(author_client, author, other_author, editor):
    review = ReviewFactory(author=other_author, title="Started by someone else")
    theirs = review.history.latest()
    save_as(editor, review, author=author, title="Handed over")
    html = author_client.get(restore_url(theirs)).content.decode()
    response = author_client.post(restore_url(theirs), form_data(html))
    assert response.status_code == 302, response.content.decode()[:3000]
    review.refresh_from_db()
    assert (review.title, review.author) == ("Started by someone else", author)


def test_publishing_and_unpublishing_from_the_list_keep_a_revision(editor_client, editor):
    drafts = ReviewFactory.create_batch(2, status=Review.Status.DRAFT, film=FilmFactory())
    changelist = reverse("admin:reviews_review_changelist")
    editor_client.post(changelist, {"action": "publish", "_selected_action": [r.pk for r in drafts]})
    editor_client.post(changelist, {"action": "unpublish", "_selected_action": [drafts[0].pk]})
    first, second = (list(review.history.all()) for review in drafts)
    assert [(r.status, r.history_user) for r in first] == [("draft", editor), ("published", editor), ("draft", None)]
    assert [(r.status, r.history_user) for r in second] == [("published", editor), ("draft", None)]
    html = editor_client.get(history_url(drafts[0])).content.decode()
    assert "Published" in html and "Moved back to draft" in html


def test_body_diff_folds_long_unchanged_runs_and_pairs_edited_lines():
    old = "\n".join(f"Line {n} of the review." for n in range(1, 21))
    new = old.replace("Line 10 of the review.", "Line ten of the review.") + "\nA new last line."
    rows = body_diff(old, new)
    assert [row.kind for row in rows] == [
        "folded",
        "same",
        "same",
        "edited",
        "same",
        "same",
        "folded",
        "same",
        "same",
        "added",
    ]
    assert rows[0].folded == 7 and rows[6].folded == 6
    assert rows[3].parts == [("same", "Line "), ("removed", "10"), ("added", "ten"), ("same", " of the review.")]
    assert (rows[-1].old_number, rows[-1].new_number) == (None, 21)


def test_body_diff_shows_a_rewritten_line_as_removed_and_added():
    rows = body_diff("The fight on the stairs.", "Nothing here resembles it now")
    assert [(row.kind, row.parts) for row in rows] == [
        ("removed", [("removed", "The fight on the stairs.")]),
        ("added", [("added", "Nothing here resembles it now")]),
    ]
    assert body_diff("Same.\n", "Same.") == []


def test_restoring_a_revision_brings_back_its_whole_number_rating(author_client, author):
    review = ReviewFactory(author=author, rating=Decimal("4"))
    rated = review.history.latest()
    save_as(author, review, rating=None)
    html = author_client.get(restore_url(rated)).content.decode()
    response = author_client.post(restore_url(rated), browser_form(html))
    assert response.status_code == 302, admin_errors(response)
    review.refresh_from_db()
    assert review.rating == Decimal("4")
    assert review.history.latest().rating == Decimal("4")


def test_after_a_restore_only_the_newest_revision_is_current(author_client, author, drafted):
    """The restored revision matches the text now too, but only the newest row says "Current version"."""
    first = drafted.history.earliest()
    author_client.post(restore_url(first), form_data(author_client.get(restore_url(first)).content.decode()))
    listing = author_client.get(history_url(drafted)).content.decode()
    assert listing.count("<strong>Current version</strong>") == 1
    assert listing.index("<strong>Current version</strong>") < listing.index("Restore…")


def test_a_save_that_only_changed_line_endings_does_not_say_the_body_changed(editor_client, author):
    """A browser sends CRLF: the compare page shows no change, so the list must not say "Changed the body"."""
    review = ReviewFactory(author=author, body="## Fights\n\nThe stairs fight.")
    record = save_as(author, review, body="## Fights\r\n\r\nThe stairs fight.", title="A new title")
    listing = editor_client.get(history_url(review)).content.decode()
    assert "Changed the title<" in listing and "Changed the title and body" not in listing
    compare = editor_client.get(compare_url(record, against="previous")).content.decode()
    assert "A new title" in compare


def test_revision_times_are_written_in_the_sites_style_without_a_doubled_full_stop(author_client, author, drafted):
    first = drafted.history.earliest()
    html = author_client.get(restore_url(first)).content.decode()
    stamp = timezone.localtime(first.history_date).strftime("%-d %B %Y, %H:%M")
    assert f"as it was on <strong>{stamp}</strong>" in html
    assert ".." not in re.sub(r"<[^>]+>", "", html.split('class="restore-notice"')[1].split("</div>")[0])
