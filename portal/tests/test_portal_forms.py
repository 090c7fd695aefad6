"""``{{ form|bootstrap_form }}`` writes exactly what ``{{ form|crispy }}`` writes, and never serves
one form's markup for another."""

import inspect
from types import SimpleNamespace

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django import forms

import patients.forms
import patients.forms_booking
import patients.forms_messaging
import prescriptions.forms
from portal.templatetags import portal_forms
from portal.templatetags.portal_forms import bootstrap_form

ARTICLES = [
    SimpleNamespace(slug="what-is-ldn", title="What is LDN?"),
    SimpleNamespace(slug="side-effects", title="Side effects <and> what to do"),
]


def _form_classes():
    for module in (patients.forms, patients.forms_booking, patients.forms_messaging, prescriptions.forms):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                yield cls


def _blank(cls):
    """A blank form of ``cls`` as its page builds it (None when it needs more than that)."""
    for kwargs in ({"articles": ARTICLES}, {}):
        try:
            return cls(**kwargs)
        except TypeError:
            continue
    return None


@pytest.fixture(autouse=True)
def _empty_memo():
    portal_forms._memo.clear()


@pytest.mark.django_db
def test_every_blank_form_is_written_as_crispy_writes_it():
    checked = 0
    for cls in _form_classes():
        if _blank(cls) is None:
            continue
        expected = str(as_crispy_form(_blank(cls)))
        assert str(bootstrap_form(_blank(cls))) == expected, cls  # rendered and kept
        assert str(bootstrap_form(_blank(cls))) == expected, cls  # served from the memo
        checked += 1
    assert checked >= 20


@pytest.mark.django_db
def test_a_changed_field_is_a_different_form():
    from patients.forms_messaging import ClinicReplyForm

    first = str(bootstrap_form(ClinicReplyForm(articles=ARTICLES)))
    fewer = str(bootstrap_form(ClinicReplyForm(articles=ARTICLES[:1])))
    assert "side-effects" in first and "side-effects" not in fewer
    relabelled = ClinicReplyForm(articles=ARTICLES)
    relabelled.fields["body"].label = "Your answer"
    assert "Your answer" in str(bootstrap_form(relabelled))
    prefilled = ClinicReplyForm(articles=ARTICLES, initial={"body": "Hello <there>"})
    assert "Hello &lt;there&gt;" in str(bootstrap_form(prefilled))
    assert "Hello" not in str(bootstrap_form(ClinicReplyForm(articles=ARTICLES)))


@pytest.mark.django_db
def test_submitted_forms_are_always_rendered_afresh():
    from patients.forms_messaging import ReplyForm

    bound = ReplyForm(data={"body": ""})
    assert not bound.is_valid()
    html = str(bootstrap_form(bound))
    assert "is-invalid" in html and html == str(as_crispy_form(ReplyForm(data={"body": ""})))
    assert not portal_forms._memo


def test_the_memo_is_bounded():
    from patients.forms_messaging import ReplyForm

    for i in range(portal_forms.MEMO_SIZE + 10):
        form = ReplyForm(initial={"body": f"draft {i}"})
        bootstrap_form(form)
    assert len(portal_forms._memo) == portal_forms.MEMO_SIZE
