"""A patient-list row written in Python shows what the template's own lookups and tags would."""

import pytest
from django.core.management import call_command
from django.template import Context, Template

from patients.models import Intake, Patient
from patients.presenters import patient_rows
from patients.selectors import patient_list_rows

OLD_ROW = Template(
    "{% load care_tags %}{% url 'patients:chart' patient.pk %}|{{ patient.full_name }}|"
    "{{ patient.state.code|default:'—' }}|"
    "{% if patient.intake %}{{ patient.intake.get_review_status_display }}{% else %}Intake not started{% endif %}|"
    "{% screening_badge patient.intake.screening_outcome patient.intake.deferred_until %}|"
    "{{ patient.get_treatment_phase_display }}"
)
NAME_ORDER = ("legal_last_name", "legal_first_name", "id")
NEW_ROW = Template("{{ r.url }}|{{ r.name }}|{{ r.state_code }}|{{ r.review }}|{{ r.screening }}|{{ r.phase }}")


@pytest.mark.django_db
def test_patient_rows_match_the_template_expressions():
    call_command("seed_demo", verbosity=0)
    Patient.objects.filter(pk=Patient.objects.order_by("pk").first().pk).update(legal_first_name="<i>Zoë</i>")
    Intake.objects.filter(pk=Intake.objects.order_by("pk").first().pk).delete()  # one without an intake
    values = list(patient_list_rows(Patient.objects.all()))
    patients = list(Patient.objects.select_related("user", "state", "intake").order_by(*NAME_ORDER))
    assert len(patients) >= 4 and [p.pk for p in patients] == [v[0] for v in values]
    for patient, row in zip(patients, patient_rows(values), strict=True):
        assert NEW_ROW.render(Context({"r": row})) == OLD_ROW.render(Context({"patient": patient}))
