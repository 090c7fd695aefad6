"""Rows written in Python (the patient list, the chart's check-ins, a thread's messages) are the
markup the templates' own loops wrote."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.template import Context, Template

from education.models import Article
from patients import messaging
from patients.models import Attachment, CheckIn, Intake, Patient
from patients.presenters import checkin_rows_html, message_cards_html, patient_rows_html
from patients.selectors import patient_list_rows
from patients.selectors_messaging import messages_for

# The row as the list template wrote it before rows were written in Python.
TEMPLATE_ROWS = Template(
    """{% load care_tags %}{% for patient in patients %}
    <tr>
      <td><a href="{% url 'patients:chart' patient.pk %}">{{ patient.full_name }}</a></td>
      <td>{{ patient.state.code|default:"—" }}</td>
      <td>{% if patient.intake %}{{ patient.intake.get_review_status_display }}{% else %}Intake not started{% endif %}</td>
      <td>{% screening_badge patient.intake.screening_outcome patient.intake.deferred_until %}</td>
      <td>{{ patient.get_treatment_phase_display }}</td>
    </tr>{% endfor %}"""
)
NAME_ORDER = ("legal_last_name", "legal_first_name", "id")


def _squeezed(html: str) -> str:
    """Whitespace between tags and before a closing tag dropped, other runs of it made one space."""
    return re.sub(r"\s+</", "</", re.sub(r">\s+<", "><", " ".join(html.split()))).strip()


@pytest.mark.django_db
def test_patient_rows_are_the_template_rows():
    call_command("seed_demo", verbosity=0)
    Patient.objects.filter(pk=Patient.objects.order_by("pk").first().pk).update(legal_first_name="<i>Zoë</i>")
    Intake.objects.filter(pk=Intake.objects.order_by("pk").first().pk).delete()  # one without an intake
    values = list(patient_list_rows(Patient.objects.all()))
    patients = list(Patient.objects.select_related("user", "state", "intake").order_by(*NAME_ORDER))
    assert len(patients) >= 4 and [p.pk for p in patients] == [v[0] for v in values]
    ours = str(patient_rows_html(values))
    assert _squeezed(ours) == _squeezed(TEMPLATE_ROWS.render(Context({"patients": patients})))
    assert "&lt;i&gt;Zoë&lt;/i&gt;" in ours and "Intake not started" in ours
    assert str(patient_rows_html([])) == ""


CHECKIN_TEMPLATE_ROWS = Template(
    """{% for c in checkins %}
          <tr><td>{{ c.recorded_at|date:"M j, Y" }}</td><td>{{ c.get_kind_display }}</td><td>{{ c.pain }}</td><td>{{ c.enjoyment }}</td><td>{{ c.activity }}</td><td>{{ c.score }}</td>
            <td>{{ c.side_effect_labels|join:", "|default:"—" }}{% if c.side_effect_other %} ({{ c.side_effect_other }}){% endif %}{% if c.note %}<br><small>{{ c.note }}</small>{% endif %}</td></tr>
        {% endfor %}"""
)


@pytest.mark.django_db
def test_checkin_rows_are_the_template_rows(patient):
    call_command("seed_demo", verbosity=0)
    CheckIn.objects.create(
        patient=patient, kind="weekly", pain=7, enjoyment=5, activity=6,
        side_effects=["vivid_dreams", "insomnia"], side_effect_other="<script>x</script>", note="Felt & slept <ok>",
    )  # fmt: skip
    checkins = list(CheckIn.objects.order_by("patient_id", "recorded_at", "pk"))
    assert len(checkins) >= 5
    ours = str(checkin_rows_html(checkins))
    assert _squeezed(ours) == _squeezed(CHECKIN_TEMPLATE_ROWS.render(Context({"checkins": checkins})))
    assert "&lt;script&gt;" in ours and "Felt &amp; slept &lt;ok&gt;" in ours
    assert str(checkin_rows_html([])) == ""


MESSAGE_TEMPLATE_CARDS = Template(
    """{% for m in thread_messages %}
  <li class="card mb-2{% if m.is_mine %} border-primary-subtle{% endif %}"><div class="card-body">
    <p class="small text-body-secondary mb-1">
      <strong>{{ m.author }}</strong>
      · {{ m.shown_at }}{% if m.is_new and not m.is_mine %} <span class="badge text-bg-primary">New</span>{% endif %}
    </p>
    {% if m.body %}<div class="message-body">{{ m.body|linebreaksbr }}</div>{% endif %}
    {% if m.article_slug %}
      <div class="card bg-body-tertiary mt-2"><div class="card-body py-2">
        {% if m.article_title %}<span class="small text-body-secondary">Shared reading</span><br>
          <a href="{% url 'education:article' m.article_slug %}">{{ m.article_title }}</a>
        {% else %}<span class="small text-body-secondary">A shared article that is no longer published.</span>{% endif %}
      </div></div>
    {% endif %}
    {% for a in m.attachments.all %}
      <p class="mb-0 mt-2 small">Attachment: <a href="{% if is_clinic %}{% url 'patients:clinic_attachment' a.pk %}{% else %}{% url 'patients:attachment' a.pk %}{% endif %}">{{ a.original_name }}</a> ({{ a.size|filesizeformat }})</p>
    {% endfor %}
  </div></li>
{% endfor %}"""
)


@pytest.mark.django_db
@pytest.mark.parametrize("is_clinic", [True, False])
def test_message_cards_are_the_template_cards(is_clinic, patient, physician):
    thread = messaging.thread_start(patient=patient, author=patient.user, subject="S", body="First <b>line</b>\nsecond")
    call_command("seed_demo", verbosity=0)  # the library's published articles
    slug = Article.objects.filter(status="published").values_list("slug", flat=True).first()
    assert slug
    messaging.message_send(thread=thread, sender=physician, body="", article_slug=slug)
    message = messaging.message_send(thread=thread, sender=physician, body="See & read")
    Attachment.objects.create(
        message=message, file=SimpleUploadedFile("a.pdf", b"%PDF"), original_name="<scan>.pdf",
        content_type="application/pdf", size=123456,
    )  # fmt: skip
    messages = messages_for(thread)
    messages[1].article_slug = "no-longer-published"
    for i, m in enumerate(messages):
        m.author, m.shown_at = f"Author <{i}>", f"Nov {i + 1}, 2026 9:0{i} AM CST"
        m.is_mine, m.is_new = i == 0, i != 1
        m.article_title = ""
    messages[2].article_slug, messages[2].article_title = slug, "A title & more"
    ours = str(message_cards_html(messages, is_clinic=is_clinic))
    theirs = MESSAGE_TEMPLATE_CARDS.render(Context({"thread_messages": messages, "is_clinic": is_clinic}))
    assert _squeezed(ours) == _squeezed(theirs)
    assert "First &lt;b&gt;line&lt;/b&gt;<br>second" in ours and "&lt;scan&gt;.pdf" in ours
