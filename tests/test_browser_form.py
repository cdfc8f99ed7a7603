from tests.browser_form import browser_form

PAGE = """
<form id="logout-form" method="post"><input type="hidden" name="csrfmiddlewaretoken" value="other"></form>
<form method="post" id="thing_form">
  <input type="hidden" name="csrfmiddlewaretoken" value="tok&amp;en">
  <input name="title" value="Fish &amp; chips">
  <input type="text" name="locked" value="x" disabled>
  <select name="rating"><option value="">---------</option><option value="4.0">4</option></select>
  <select name="status"><option value="draft" selected>Draft</option>
    <option value="published" selected>Pub</option></select>
  <select name="genres" multiple><option value="1" selected>A</option><option value="2">B</option>
    <option value="3" selected>C</option></select>
  <select name="tags" multiple><option value="1">A</option></select>
  <select name="job"><option disabled>Pick</option><option>  Cast  member </option></select>
  <input type="checkbox" name="open" checked><input type="checkbox" name="spoilers" value="yes">
  <input type="radio" name="kind" value="a"><input type="radio" name="kind" value="b" checked>
  <input type="file" name="hero_image">
  <textarea name="body">
## Heading

&lt;b&gt; text</textarea>
  <fieldset disabled><input name="inside" value="1"></fieldset>
  <input type="submit" name="_save" value="Save"><input type="submit" name="_continue" value="Continue">
  <button name="_addanother" value="1">Add another</button>
</form>
"""


def test_the_form_with_the_pressed_button_is_sent_as_a_browser_sends_it():
    assert browser_form(PAGE) == {
        "csrfmiddlewaretoken": "tok&en",
        "title": "Fish & chips",
        "rating": "",
        "status": "published",
        "genres": ["1", "3"],
        "job": "Cast member",
        "open": "on",
        "kind": "b",
        "body": "## Heading\r\n\r\n<b> text",
        "_save": "Save",
    }


def test_only_the_pressed_button_is_sent():
    data = browser_form(PAGE, submit="_addanother")
    assert data["_addanother"] == "1"
    assert "_save" not in data and "_continue" not in data
