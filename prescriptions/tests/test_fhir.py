"""The FHIR R4 MedicationRequest export: validated with fhir.resources (R4B models), coded values
checked here, and fetched only by the prescriber's care team and the order's pharmacy."""

import json
from decimal import Decimal as D

import pytest
from fhir.resources.R4B.medication import Medication
from fhir.resources.R4B.medicationrequest import MedicationRequest

from portal.tests.signin import sign_in
from prescriptions.tests.factories import advance, make_draft, make_plan, sign


def fetch(client, user, order):
    sign_in(client, user)
    response = client.get(f"/fhir/MedicationRequest/{order.pk}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    return json.loads(response.content)


@pytest.mark.django_db
def test_a_liquid_order_exports_as_a_valid_medication_request(client, physician, sent_order, tx_pharmacy):
    data = fetch(client, physician, sent_order)
    resource = MedicationRequest.model_validate(data)
    assert (resource.status, resource.intent) == ("active", "order")
    assert resource.medicationReference.reference == "#compounded-ldn"

    medication = Medication.model_validate(data["contained"][0])
    assert medication.form.coding[0].system == "http://snomed.info/sct"
    assert medication.form.coding[0].code == "385023001"  # oral solution
    active = medication.ingredient[0]
    assert active.isActive is True
    assert (active.itemCodeableConcept.coding[0].system, active.itemCodeableConcept.coding[0].code) == (
        "http://fdasis.nlm.nih.gov",
        "Z6375YW9SF",  # naltrexone hydrochloride
    )
    assert (float(active.strength.numerator.value), active.strength.numerator.code) == (1.0, "mg")
    assert (active.strength.denominator.value, active.strength.denominator.code) == (1, "mL")
    assert len(medication.ingredient) == 1  # no filler in a liquid

    dosages = resource.dosageInstruction
    assert [d.sequence for d in dosages] == [1, 2, 3]
    assert [d.timing.repeat.when for d in dosages] == [["HS"]] * 3
    assert [(d.timing.repeat.frequency, d.timing.repeat.period, d.timing.repeat.periodUnit) for d in dosages] == [
        (1, 1, "d")
    ] * 3
    bounds = [(float(d.timing.repeat.boundsDuration.value), d.timing.repeat.boundsDuration.code) for d in dosages]
    assert bounds == [(7.0, "d"), (7.0, "d"), (16.0, "d")]
    doses = [(float(d.doseAndRate[0].doseQuantity.value), d.doseAndRate[0].doseQuantity.unit) for d in dosages]
    assert doses == [(1.5, "mL"), (3.0, "mL"), (4.5, "mL")]
    assert dosages[0].route.coding[0].code == "26643006"

    dispense = resource.dispenseRequest
    assert (float(dispense.quantity.value), dispense.quantity.unit, dispense.quantity.code) == (104.0, "mL", "mL")
    assert (float(dispense.expectedSupplyDuration.value), dispense.expectedSupplyDuration.code) == (30.0, "d")
    assert dispense.numberOfRepeatsAllowed == 0
    assert dispense.performer.reference == f"Organization/{tx_pharmacy.pk}"
    assert dispense.performer.display == tx_pharmacy.name

    assert resource.reasonCode[0].coding[0].system == "http://hl7.org/fhir/sid/icd-10-cm"
    assert resource.reasonCode[0].coding[0].code == "M79.7"
    assert resource.requester.identifier.system == "http://hl7.org/fhir/sid/us-npi"
    assert resource.requester.identifier.value == physician.npi
    assert resource.subject.reference == f"Patient/{sent_order.patient_id}"
    assert resource.authoredOn is not None


@pytest.mark.django_db
def test_a_capsule_order_exports_the_filler_as_an_inactive_ingredient_and_morning_timing(
    client, physician, approved_patient, tx_pharmacy
):
    plan = make_plan(approved_patient, physician, formulation="capsule", dosing_time="morning")
    order = sign(make_draft(plan, physician, capsule_strength_mg=D("1.5")), physician)
    data = fetch(client, physician, order)
    resource = MedicationRequest.model_validate(data)
    medication = Medication.model_validate(data["contained"][0])
    assert medication.form.coding[0].code == "385049006"  # capsule
    active, filler = medication.ingredient
    assert (float(active.strength.numerator.value), active.strength.denominator.code) == (1.5, "CAP")
    assert filler.isActive is False
    assert (filler.itemCodeableConcept.coding[0].code, filler.itemCodeableConcept.text) == (
        "OP1R32D61U",
        "microcrystalline cellulose",
    )
    assert [d.timing.repeat.when for d in resource.dosageInstruction] == [["MORN"]] * 3
    assert [int(d.doseAndRate[0].doseQuantity.value) for d in resource.dosageInstruction] == [1, 2, 3]
    assert (float(resource.dispenseRequest.quantity.value), resource.dispenseRequest.quantity.code) == (69.0, "CAP")
    assert resource.dispenseRequest.numberOfRepeatsAllowed == 0  # a titration supply carries no refills


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "status"),
    [
        ([], "active"),
        (["received", "in_review", "needs_clarification"], "on-hold"),
        (["received", "in_review", "compounding", "shipped", "delivered"], "completed"),
        (["rejected"], "cancelled"),
    ],
)
def test_statuses_map_to_fhir_statuses(client, physician, pharmacy_user, sent_order, path, status):
    order = advance(sent_order, pharmacy_user, *path)
    assert fetch(client, pharmacy_user, order)["status"] == status


@pytest.mark.django_db
def test_the_orders_pharmacy_may_fetch_it_and_another_pharmacy_may_not(
    client, pharmacy_user, outsider_pharmacy_user, sent_order
):
    assert MedicationRequest.model_validate(fetch(client, pharmacy_user, sent_order)).id == str(sent_order.pk)
    sign_in(client, outsider_pharmacy_user)
    assert client.get(f"/fhir/MedicationRequest/{sent_order.pk}").status_code == 404


@pytest.mark.django_db
def test_only_the_care_team_may_fetch_it(client, outsider_physician, approved_patient, sent_order, admin_user):
    sign_in(client, outsider_physician)
    assert client.get(f"/fhir/MedicationRequest/{sent_order.pk}").status_code == 404
    for user in (approved_patient.user, admin_user):
        sign_in(client, user)
        assert client.get(f"/fhir/MedicationRequest/{sent_order.pk}").status_code == 403
    client.logout()
    assert client.get(f"/fhir/MedicationRequest/{sent_order.pk}").status_code == 302
    assert client.get("/fhir/MedicationRequest/999999").status_code == 302


@pytest.mark.django_db
def test_a_draft_exports_with_draft_status_for_the_physician(client, physician, draft):
    data = fetch(client, physician, draft)
    resource = MedicationRequest.model_validate(data)
    assert resource.status == "draft" and resource.dispenseRequest.performer is None


@pytest.mark.django_db
def test_a_maintenance_order_exports_its_refills(client, physician, approved_patient, tx_pharmacy):
    from prescriptions.dosing import Step

    plan = make_plan(approved_patient, physician, template="custom", steps=[Step(D("4.5"), None)])
    order = sign(make_draft(plan, physician, refills=2), physician)
    resource = MedicationRequest.model_validate(fetch(client, physician, order))
    assert resource.dispenseRequest.numberOfRepeatsAllowed == 2
