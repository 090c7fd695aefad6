"""The errors of the forms a page shows, for the shared error summary (templates/partials/error_summary.html).

The base template asks once per page: every bound form (or formset) with errors in the view's context
gives its messages, each with the id of the field it belongs to, so the summary can link to it and
the title can start with "Error: ". Values only; the partial owns the markup."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django import forms, template
from django.forms.formsets import BaseFormSet

register = template.Library()


@dataclass(frozen=True)
class FormError:
    message: str
    label: str = ""
    field_id: str = ""  # empty for an error of the whole form


def _field_id(bound: forms.BoundField) -> str:
    """The id of the control a link should land on: the field's own, or its first option's (radios,
    checkbox lists and split date boxes label no single control)."""
    if bound.id_for_label:
        return bound.id_for_label
    if bound.auto_id:
        return bound.field.widget.id_for_label(bound.auto_id, "0") or bound.auto_id
    return ""


def _form_errors(form: forms.BaseForm) -> Iterator[FormError]:
    if not form.is_bound or not form.errors:
        return
    for message in form.non_field_errors():
        yield FormError(message=str(message))
    for name, field in form.fields.items():
        if name not in form.errors or isinstance(field.widget, forms.HiddenInput):
            continue
        bound = form[name]
        for message in bound.errors:
            yield FormError(message=str(message), label=str(bound.label or name), field_id=_field_id(bound))
    hidden = [name for name, field in form.fields.items() if isinstance(field.widget, forms.HiddenInput)]
    for name in hidden:
        for message in form.errors.get(name, []):
            yield FormError(message=str(message))


def _candidates(value: object) -> Iterable[forms.BaseForm | BaseFormSet]:
    if isinstance(value, forms.BaseForm | BaseFormSet):
        yield value
    elif isinstance(value, list | tuple):  # a page's list of forms; never a queryset (it would run)
        yield from (item for item in value if isinstance(item, forms.BaseForm | BaseFormSet))


def errors_in(values: Iterable[object]) -> list[FormError]:
    """Every error of the bound forms and formsets among ``values``, each form once, in order."""
    seen: set[int] = set()
    found: list[FormError] = []
    for value in values:
        for candidate in _candidates(value):
            if id(candidate) in seen:
                continue
            seen.add(id(candidate))
            if isinstance(candidate, BaseFormSet):
                if not candidate.is_bound:
                    continue
                found += [FormError(message=str(m)) for m in candidate.non_form_errors()]
                for member in candidate.forms:
                    found += _form_errors(member)
            else:
                found += _form_errors(candidate)
    return found


@register.simple_tag(takes_context=True)
def page_form_errors(context: template.Context) -> list[FormError]:
    """``{% page_form_errors as form_errors %}``: the errors of every form the view handed the page."""
    return errors_in(context.flatten().values())
