"""A form renderer that writes the commonest widgets in Python.

Django renders every widget through its template engine: an ``<input>`` costs two templates and a
``<select>`` one more per option, which made the form on a list page cost more than the list.
``PortalFormRenderer`` produces the very same HTML for inputs, textareas and selects with
``format_html`` and leaves every other widget template (radio lists, file inputs with a "clear"
box, multi-widgets) to Django's templates. ``portal/tests/test_forms_rendering.py`` checks the
output against Django's own renderer, byte for byte.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData

WIDGETS = "django/forms/widgets/"
# Django's templates whose whole content is ``{% include "django/forms/widgets/input.html" %}``.
INPUT_TEMPLATES = frozenset(
    WIDGETS + name
    for name in (
        "input.html",
        "checkbox.html",
        "color.html",
        "date.html",
        "datetime.html",
        "email.html",
        "file.html",
        "hidden.html",
        "number.html",
        "password.html",
        "search.html",
        "tel.html",
        "text.html",
        "time.html",
        "url.html",
    )
)


def _text(value) -> str:
    """What ``{{ value|stringformat:'s' }}`` prints: ``str(value)``, escaped unless already safe."""
    return conditional_escape(value if isinstance(value, SafeData) else str(value))


def _attrs(attrs: dict) -> str:
    """``attrs.html``: ``False`` drops an attribute, ``True`` writes its bare name."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(
            f" {conditional_escape(name)}" if value is True else f' {conditional_escape(name)}="{_text(value)}"'
        )
    return "".join(parts)


def _input(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{_text(widget["value"])}"'
    kind, name = conditional_escape(widget["type"]), conditional_escape(widget["name"])
    return f'<input type="{kind}" name="{name}"{value}{_attrs(widget["attrs"])}>'


def _plain(value):
    """Text as ``{{ value }}`` prints it. Dates, numbers and the like are localized by the
    template engine, so those go to Django's template instead."""
    if not isinstance(value, str | Promise):
        raise _Unsupported
    return conditional_escape(value)


def _textarea(widget: dict) -> str:
    body = _plain(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n{body}</textarea>'


def _option(option: dict) -> str:
    label = _plain(option["label"])
    return f'<option value="{_text(option["value"])}"{_attrs(option["attrs"])}>{label}</option>'


def _select(widget: dict) -> str:
    # The include of select_option.html keeps that file's closing newline, hence "\n" after each.
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_plain(group_name)}">')
        for option in group_choices:
            if option["template_name"] != WIDGETS + "select_option.html":
                raise _Unsupported
            parts.append(f"\n  {_option(option)}\n")
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class _Unsupported(Exception):
    """A widget context this module does not write; Django's template renders it instead."""


NATIVE = {
    **dict.fromkeys(INPUT_TEMPLATES, _input),
    WIDGETS + "textarea.html": _textarea,
    WIDGETS + "select.html": _select,
    WIDGETS + "select_option.html": lambda widget: _option(widget),
}


class PortalFormRenderer(DjangoTemplates):
    """Django's default form renderer, with inputs, textareas and selects written in Python."""

    def render(self, template_name, context, request=None):
        write = NATIVE.get(template_name)
        widget = context.get("widget") if write else None
        if widget is not None:
            try:
                # Like Django's renderer, return text: the widget marks it safe, all values are escaped here.
                return write(widget).strip()
            except _Unsupported:
                pass
        return super().render(template_name, context, request=request)
