"""The Python widget writer must print exactly what Django's own templates print."""

import datetime as dt

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from patients.forms import CheckInForm, PatientFilterForm
from patients.forms_messaging import ClinicReplyForm
from portal.forms_rendering import PortalFormRenderer

HOSTILE = '"><script>alert(1)</script>&amp;'


class EveryWidget(forms.Form):
    text = forms.CharField(max_length=20, help_text="Help")
    optional = forms.CharField(required=False, widget=forms.TextInput(attrs={"placeholder": HOSTILE, "disabled": True}))
    email = forms.EmailField()
    number = forms.IntegerField(min_value=0, max_value=10)
    decimal = forms.DecimalField(max_digits=4, decimal_places=1)
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    when = forms.DateTimeField()
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True))
    hidden = forms.CharField(widget=forms.HiddenInput)
    agree = forms.BooleanField(required=False)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    pick = forms.ChoiceField(
        choices=[("", "—"), ("a", "Alpha"), ("b", HOSTILE), (3, 3), ("lazy", gettext_lazy("Lazy"))]
    )
    grouped = forms.ChoiceField(
        choices=[("", "None"), ("Group <1>", [("x", "X"), ("y", "Y")]), ("Group 2", [("z", "Z")])], required=False
    )
    many = forms.MultipleChoiceField(choices=[("1", "One"), ("2", "Two"), ("3", "Three")], required=False)
    files = forms.FileField(required=False)
    upload = forms.FileField(required=False, widget=forms.ClearableFileInput)
    radio = forms.ChoiceField(choices=[("r", "R"), ("s", "S")], widget=forms.RadioSelect, required=False)
    boxes = forms.MultipleChoiceField(choices=[("c", "C")], widget=forms.CheckboxSelectMultiple, required=False)


BOUND = {
    "text": HOSTILE[:20],
    "optional": "",
    "email": "not an email",
    "number": "12",
    "decimal": "1.25",
    "date": "2026-11-27",
    "when": "2026-11-27 08:30",
    "secret": HOSTILE,
    "hidden": mark_safe("<b>safe</b>"),  # noqa: S308 - checks that already-safe values are left alone
    "agree": "on",
    "note": f"line one\n{HOSTILE}",
    "pick": "b",
    "grouped": "y",
    "many": ["1", "3"],
    "radio": "s",
    "boxes": ["c"],
}


def render_both(form_class, *args, **kwargs):
    stock = form_class(*args, renderer=DjangoTemplates(), **kwargs)
    fast = form_class(*args, renderer=PortalFormRenderer(), **kwargs)
    return [(name, str(stock[name]), str(fast[name])) for name in stock.fields]


@pytest.mark.parametrize("data", [None, BOUND], ids=["unbound", "bound with errors and hostile values"])
def test_every_widget_prints_the_same_html_as_djangos_templates(data):
    for name, stock, fast in render_both(EveryWidget, data, initial={"date": dt.date(2026, 1, 2), "pick": 3}):
        assert fast == stock, name


def test_hostile_values_stay_escaped():
    form = EveryWidget(BOUND, renderer=PortalFormRenderer())
    html = "".join(str(form[name]) for name in ("text", "optional", "secret", "note", "pick"))
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.django_db
def test_the_portals_own_forms_print_the_same_html():
    for form_class, kwargs in (
        (PatientFilterForm, {"data": {"q": HOSTILE, "review_status": "pending"}}),
        (CheckInForm, {}),
        (ClinicReplyForm, {"data": {"body": HOSTILE, "article_slug": "x"}, "articles": []}),
    ):
        for name, stock, fast in render_both(form_class, **kwargs):
            assert fast == stock, f"{form_class.__name__}.{name}"


def test_the_portal_uses_the_fast_renderer(settings):
    assert settings.FORM_RENDERER == "portal.forms_rendering.PortalFormRenderer"
    assert isinstance(forms.Form().renderer or forms.renderers.get_default_renderer(), PortalFormRenderer)


def test_labels_that_are_not_text_are_localized_as_djangos_templates_do(settings):
    from decimal import Decimal

    settings.USE_THOUSAND_SEPARATOR = True

    class NonText(forms.Form):
        pick = forms.ChoiceField(choices=[(1, dt.date(2026, 1, 2)), (2, Decimal("1234.50")), (3, 7)])
        grouped = forms.ChoiceField(choices=[(dt.date(2026, 5, 1), [("a", "A")])])

    for name, stock, fast in render_both(NonText):
        assert fast == stock, name
