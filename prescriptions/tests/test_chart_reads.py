"""The chart reads the patient's pharmacy choice together with the patient."""

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_the_chart_reads_the_pharmacy_choice_with_the_patient():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from patients.models import Patient
    from patients.selectors import patient_get_for
    from portal.models import User
    from prescriptions.models import PharmacyPreference
    from prescriptions.pharmacies.selectors import preferred_pharmacy_of_patient

    call_command("seed_demo", verbosity=0)
    physician = User.objects.get(email="dr.rivera@demo.ldncare.example")
    patient = Patient.objects.get(user__email="maria.lopez@demo.ldncare.example")
    assert PharmacyPreference.objects.filter(patient=patient).exists()
    for _ in ("with a choice", "without one"):
        expected = PharmacyPreference.objects.filter(patient=patient).first()
        charted = patient_get_for(physician, patient.pk)
        with CaptureQueriesContext(connection) as queries:
            assert preferred_pharmacy_of_patient(charted) == expected
        assert len(queries) == 0
        assert preferred_pharmacy_of_patient(Patient.objects.get(pk=patient.pk)) == expected  # read on its own
        PharmacyPreference.objects.filter(patient=patient).delete()
