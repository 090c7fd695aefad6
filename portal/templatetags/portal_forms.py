"""``{{ form|bootstrap_form }}``: crispy's Bootstrap 5 markup, rendered once per form shape.

crispy-forms renders every field through a dozen nested templates; on the message thread that
was a sixth of the page. A blank form (not bound to submitted data) renders the same markup every
time its fields are the same, so this filter keeps that markup, keyed by everything the markup is
made of: the form's class and options and, per field, its name, label, help text, value and
widget (type, attributes, choices). A bound form (submitted, perhaps with errors) is always
rendered afresh, and so is a form with anything in it that cannot be compared as a key."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from decimal import Decimal
from threading import Lock

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.forms import BaseForm
from django.forms.models import ModelChoiceIterator
from django.utils.functional import Promise

register = template.Library()

MEMO_SIZE = 256
_memo: OrderedDict[tuple, str] = OrderedDict()
_lock = Lock()


class _Unkeyable(Exception):
    """A value this memo cannot compare safely: render the form afresh."""


def _frozen(value, depth: int = 0):
    if depth > 6:
        raise _Unkeyable
    if value is None or isinstance(value, bool | int | float | str | bytes):
        return value
    if isinstance(value, Promise):  # lazy translations
        return ("lazy", str(value))
    if isinstance(value, dict):
        return ("dict", tuple(sorted((str(k), _frozen(v, depth + 1)) for k, v in value.items())))
    if isinstance(value, list | tuple):
        return ("seq", tuple(_frozen(v, depth + 1) for v in value))
    if isinstance(value, dt.date | dt.time | Decimal):
        return (type(value).__name__, value.isoformat() if hasattr(value, "isoformat") else str(value))
    raise _Unkeyable


def _key(form) -> tuple | None:
    """Everything the blank form's markup is made of, or None when it must be rendered afresh."""
    if not isinstance(form, BaseForm) or form.is_bound or getattr(form, "helper", None) is not None:
        return None
    try:
        fields = []
        for bound in form:
            field, widget = bound.field, bound.field.widget
            widget_state = {k: v for k, v in vars(widget).items() if k != "choices"}
            choices = getattr(widget, "choices", ())
            if isinstance(choices, ModelChoiceIterator):
                return None  # records: listing them for a key would cost the query it saves
            fields.append(
                (
                    bound.name,
                    bound.html_name,
                    bound.auto_id,
                    str(bound.label),
                    str(bound.help_text),
                    type(field).__qualname__,
                    type(widget).__module__ + "." + type(widget).__qualname__,
                    _frozen(widget_state),
                    _frozen(list(choices)),
                    field.required,
                    field.disabled,
                    field.show_hidden_initial,
                    field.localize,
                    _frozen(bound.value()),
                )
            )
        return (
            type(form).__module__ + "." + type(form).__qualname__,
            form.prefix,
            form.auto_id,
            form.label_suffix,
            form.use_required_attribute,
            getattr(form, "required_css_class", None),
            getattr(form, "error_css_class", None),
            tuple(fields),
        )
    except _Unkeyable:
        return None


@register.filter
def bootstrap_form(form):
    """The form as ``{{ form|crispy }}`` writes it (Bootstrap 5), kept per blank-form shape."""
    key = _key(form)
    if key is None:
        return as_crispy_form(form)
    html = _memo.get(key)
    if html is None:
        html = as_crispy_form(form)
        with _lock:
            _memo[key] = html
            if len(_memo) > MEMO_SIZE:
                _memo.popitem(last=False)
    return html


@receiver(setting_changed)
def _forget(**kwargs) -> None:
    # Templates or the crispy pack may differ under the changed settings.
    with _lock:
        _memo.clear()
