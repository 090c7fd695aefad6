"""Rows of the clinic's tables written in Python (the patient list, the chart's check-ins) are the
markup the templates' own rows wrote."""

import re

import pytest
from django.core.management import call_command
from django.template import Context, Template

from patients.models import CheckIn, Intake, Patient
from patients.presenters import checkin_rows_html, patient_rows_html
from patients.selectors import patient_list_rows

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
    """Whitespace between tags dropped, other runs of it made one space."""
    return re.sub(r">\s+<", "><", " ".join(html.split())).strip()


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
