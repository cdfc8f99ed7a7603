"""What a browser sends when a form is submitted as it stands, read from the page's HTML.

The HTML standard's rules for building a form's data set, as far as the admin needs them: a single
select sends its selected option (the first one when none is selected), a multiple select every
selected option; checkboxes and radios only when checked ("on" without a value); a textarea its text
without the one newline after the start tag, with line ends sent as CRLF; disabled fields and
options nothing; a file input nothing chosen; buttons only the one pressed. Fields of every inline,
its management form and its hidden template rows included, since the browser sends those too.

    data = browser_form(response.content.decode())           # the form holding the "_save" button
    client.post(url, {**data, "title": "A new title"})
"""

import re
from html.parser import HTMLParser

BUTTON_TYPES = {"submit", "image", "reset", "button"}


class _Field:
    def __init__(self, tag, attrs):
        self.tag, self.attrs = tag, attrs
        self.name = attrs.get("name")
        self.disabled = "disabled" in attrs
        self.text = ""  # a textarea's content
        self.options: list[dict] = []  # a select's options: value, selected, disabled


class _Form:
    def __init__(self, attrs):
        self.attrs = attrs
        self.fields: list[_Field] = []


class _PageReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[_Form] = []
        self._form = self._textarea = self._select = self._option = None
        self._disabled_fieldsets = 0
        self._fieldsets: list[bool] = []

    def handle_starttag(self, tag, attrs):
        attrs = {name: "" if value is None else value for name, value in attrs}
        if tag == "form":
            self._form = _Form(attrs)
            self.forms.append(self._form)
        elif tag == "fieldset":
            disabled = "disabled" in attrs
            self._fieldsets.append(disabled)
            self._disabled_fieldsets += disabled
        elif self._form is None:
            return
        elif tag in {"input", "button", "textarea", "select"}:
            field = _Field(tag, attrs)
            field.disabled |= self._disabled_fieldsets > 0
            self._form.fields.append(field)
            if tag == "textarea":
                self._textarea = field
            elif tag == "select":
                self._select = field
        elif tag == "option" and self._select is not None:
            self._option = {
                "value": attrs.get("value"),
                "text": "",
                "selected": "selected" in attrs,
                "disabled": "disabled" in attrs,
            }
            self._select.options.append(self._option)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "fieldset" and self._fieldsets:
            self._disabled_fieldsets -= self._fieldsets.pop()
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = self._option = None
        elif tag == "option":
            self._option = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.text += data
        elif self._option is not None:
            self._option["text"] += data


def _option_value(option) -> str:
    if option["value"] is not None:
        return option["value"]
    return " ".join(option["text"].split())  # no value attribute: the text, whitespace collapsed


def _select_values(field: _Field) -> list[str]:
    options = [o for o in field.options if not o["disabled"]]
    selected = [o for o in options if o["selected"]]
    if "multiple" in field.attrs:
        return [_option_value(o) for o in selected]
    if selected:
        return [_option_value(selected[-1])]  # two marked selected: the last one wins
    return [_option_value(options[0])] if options else []


def _textarea_value(text: str) -> str:
    # The page's line ends are read as LF, the newline right after <textarea> is dropped, and LF is sent as CRLF.
    return re.sub(r"\r\n?", "\n", text).removeprefix("\n").replace("\n", "\r\n")


def _values(field: _Field, pressed: str) -> list[str]:
    kind = field.attrs.get("type", "text" if field.tag == "input" else "submit").lower()
    if field.tag == "textarea":
        return [_textarea_value(field.text)]
    if field.tag == "select":
        return _select_values(field)
    if field.tag == "button" or kind in BUTTON_TYPES:
        return [field.attrs.get("value", "")] if field.name == pressed and kind == "submit" else []
    if kind in {"checkbox", "radio"}:
        return [field.attrs.get("value", "on")] if "checked" in field.attrs else []
    if kind == "file":
        return []  # no file chosen: Django receives nothing for it
    return [field.attrs.get("value", "")]


def browser_form(html: str, submit: str = "_save") -> dict[str, str | list[str]]:
    """The data a browser posts when the button named `submit` of the form that holds it is pressed.

    A name sent once maps to its value, a name sent more than once (a multiple select) to a list.
    """
    reader = _PageReader()
    reader.feed(html)
    reader.close()
    forms = [form for form in reader.forms if any(f.name == submit for f in form.fields)]
    assert forms, f"No form on the page has a button named {submit!r}."
    data: dict[str, list[str]] = {}
    for field in forms[0].fields:
        if not field.name or field.disabled:
            continue
        for value in _values(field, submit):
            data.setdefault(field.name, []).append(value)
    return {name: values[0] if len(values) == 1 else values for name, values in data.items()}


def admin_errors(response) -> dict:
    """The errors an admin change form came back with, for a test's failure message."""
    context = getattr(response, "context_data", None) or {}
    errors = {}
    if "adminform" in context:
        errors.update(context["adminform"].form.errors)
    for inline in context.get("inline_admin_formsets", []):
        formset = inline.formset
        errors.update({f"{formset.prefix}-{i}": e for i, e in enumerate(formset.errors) if e})
        if formset.non_form_errors():
            errors[formset.prefix] = formset.non_form_errors()
    if "form" in context and not errors and hasattr(context["form"], "errors"):
        errors.update(context["form"].errors)
    return {"status": response.status_code, **errors}
