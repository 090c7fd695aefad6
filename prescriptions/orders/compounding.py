"""The pharmacy's checks and records around compounding: the verification checklist that must be
completed before compounding starts, and the compounding record that must exist before shipping
(docs/domain.md "Verification and the compounding record")."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from portal.models import User
from prescriptions.dosing import capsules_per_dose, fmt_amount, ml_per_dose, steps_of
from prescriptions.models import CompoundingRecord, OrderStatus, OrderVerification, PrescriptionOrder
from prescriptions.orders import services as order_services

S = OrderStatus

# A beyond-use date further out than this is refused as a likely typing error; the pharmacy's own
# policy (USP <795>) sets the real limit for each preparation, which is usually much shorter.
MAX_BEYOND_USE_DAYS = 180
LOT_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9./-]{0,31}")

# The checklist, in the order the page shows it: field → what it confirms.
CHECKLIST = {
    "prescriber_confirmed": "the prescriber and the signature",
    "patient_confirmed": "the patient's identity",
    "allergies_confirmed": "the allergies and other medicines",
    "dose_confirmed": "the dose arithmetic",
}


@dataclass(frozen=True)
class DoseCheck:
    """One dose of the order worked out: strength × amount per dose = mg, against the plan."""

    dose_mg: Decimal
    per_dose: Decimal
    unit: str  # "mL" or "capsule(s)"
    strength_label: str
    product_mg: Decimal
    in_plan: bool

    @property
    def ok(self) -> bool:
        return self.in_plan and self.product_mg == self.dose_mg

    @property
    def text(self) -> str:
        per = fmt_amount(self.per_dose) if self.unit == "mL" else str(int(self.per_dose))
        plan = "matches a dose of the plan" if self.in_plan else "is NOT a dose of the plan"
        return (
            f"{self.strength_label} × {per} {self.unit} = {fmt_amount(self.product_mg)} mg; "
            f"ordered {fmt_amount(self.dose_mg)} mg, which {plan}"
        )


def dose_checks(order: PrescriptionOrder) -> list[DoseCheck]:
    """Each distinct dose of the order's supply, with the arithmetic behind it and whether the plan
    version the order was written from prescribes that dose (uses the prefetched ``plan.steps``)."""
    plan_doses = {Decimal(step.dose_mg) for step in steps_of(order.plan)}
    checks: list[DoseCheck] = []
    seen: set[Decimal] = set()
    for segment in order.dose_segments:
        dose = Decimal(str(segment["dose_mg"]))
        if dose in seen:
            continue
        seen.add(dose)
        try:
            if order.is_capsule:
                per_dose = Decimal(capsules_per_dose(dose, order.capsule_strength_mg))
                unit, strength = ("capsule" if per_dose == 1 else "capsules"), order.capsule_strength_mg
                label = f"{fmt_amount(strength)} mg per capsule"
            else:
                per_dose, unit = ml_per_dose(dose, order.concentration_mg_per_ml), "mL"
                strength = order.concentration_mg_per_ml
                label = f"{fmt_amount(strength)} mg/mL"
        except ValidationError:
            # A dose the strength cannot measure: shown as failing, never as an error page.
            per_dose, unit, strength, label = Decimal(0), "mL", Decimal(0), order.strength_label
        checks.append(
            DoseCheck(dose, per_dose, unit, label, (Decimal(strength) * per_dose).normalize(), dose in plan_doses)
        )
    return checks


def dose_check_text(checks: list[DoseCheck]) -> str:
    return "\n".join(check.text for check in checks)


@transaction.atomic
def order_verify(
    *,
    order: PrescriptionOrder,
    pharmacist: User,
    prescriber_confirmed: bool,
    patient_confirmed: bool,
    allergies_confirmed: bool,
    dose_confirmed: bool,
) -> OrderVerification:
    """Record the pharmacist's verification of an order in review and start compounding. Refused
    unless every item is confirmed, the signed content still matches its hash, and every dose's
    arithmetic holds and is a dose of the plan."""
    order_services.order_actor_require_scope(order, pharmacist)
    locked = (
        PrescriptionOrder.objects.select_for_update()
        .select_related("plan")
        .prefetch_related("plan__steps")
        .get(pk=order.pk)
    )
    if locked.status != S.IN_REVIEW:
        raise ValidationError(
            f"Only an order in pharmacist review is verified; this one is {locked.get_status_display().lower()}.",
            code="invalid_transition",
        )
    confirmed = {
        "prescriber_confirmed": prescriber_confirmed,
        "patient_confirmed": patient_confirmed,
        "allergies_confirmed": allergies_confirmed,
        "dose_confirmed": dose_confirmed,
    }
    missing = {field: f"Confirm {CHECKLIST[field]} before compounding." for field, ok in confirmed.items() if not ok}
    if missing:
        raise ValidationError(missing)
    if not order_services.order_content_intact(locked):
        raise ValidationError(
            "The order's content does not match its signature. Do not compound it: call the practice.",
            code="tampered",
        )
    checks = dose_checks(locked)
    if not checks or not all(check.ok for check in checks):
        raise ValidationError(
            {"dose_confirmed": "The dose arithmetic does not match the plan. Do not compound: ask the physician."}
        )
    verification = OrderVerification.objects.create(
        order=locked,
        pharmacist=pharmacist,
        dose_check=dose_check_text(checks),
        content_hash=locked.content_hash,
        **confirmed,
    )
    order_services.order_transition(
        order=order, actor=pharmacist, to=S.COMPOUNDING, note="Verification checklist completed."
    )
    return verification


def _person(value: str) -> str:
    return " ".join((value or "").split())


# A correction is possible while the order is with the pharmacy and after it left.
RECORDABLE = {S.COMPOUNDING, S.SHIPPED, S.DELIVERED}


@transaction.atomic
def compounding_record_create(
    *,
    order: PrescriptionOrder,
    pharmacist: User,
    lot_number: str,
    compounded_on: dt.date,
    beyond_use_date: dt.date,
    compounded_by: str,
    checked_by: str,
    correction_reason: str = "",
) -> CompoundingRecord:
    """Record how the order was compounded. A record is never edited: a second call is a correction,
    which must say why, and becomes the order's record while the first stays as it was."""
    order_services.order_actor_require_scope(order, pharmacist)
    locked = PrescriptionOrder.objects.select_for_update().get(pk=order.pk)
    if locked.status not in RECORDABLE:
        raise ValidationError("The compounding record is kept once compounding has started.", code="invalid_transition")
    lot_number = (lot_number or "").strip()
    if not LOT_NUMBER.fullmatch(lot_number):
        raise ValidationError(
            {"lot_number": "Enter the lot number as printed: up to 32 letters, digits, dots, dashes or slashes."}
        )
    today = timezone.localdate()
    if compounded_on > today:
        raise ValidationError({"compounded_on": "The compounding date cannot be in the future."})
    signed_on = timezone.localdate(locked.signed_at) if locked.signed_at else None
    if signed_on and compounded_on < signed_on:
        raise ValidationError(
            {"compounded_on": f"The order was signed on {signed_on:%B %-d, %Y}: it cannot be compounded before."}
        )
    verification = OrderVerification.objects.filter(order=locked).order_by("-verified_at", "-id").first()
    verified_on = timezone.localdate(verification.verified_at) if verification else None
    if verified_on and compounded_on < verified_on:
        raise ValidationError(
            {
                "compounded_on": f"The order was verified on {verified_on:%B %-d, %Y}: compounding starts after "
                "the verification, so it cannot be dated before."
            }
        )
    if beyond_use_date <= compounded_on:
        raise ValidationError({"beyond_use_date": "The beyond-use date must come after the compounding date."})
    latest = compounded_on + dt.timedelta(days=MAX_BEYOND_USE_DAYS)
    if beyond_use_date > latest:
        raise ValidationError(
            {
                "beyond_use_date": f"A beyond-use date more than {MAX_BEYOND_USE_DAYS} days after compounding is not "
                f"accepted (the latest for this date is {latest:%B %-d, %Y}). Check the date against your "
                "beyond-use policy."
            }
        )
    compounded_by, checked_by = _person(compounded_by), _person(checked_by)
    if not compounded_by:
        raise ValidationError({"compounded_by": "Enter who compounded it (name or initials)."})
    if not checked_by:
        raise ValidationError({"checked_by": "Enter who checked it (name or initials)."})
    if compounded_by.casefold() == checked_by.casefold():
        raise ValidationError(
            {"checked_by": "The check is done by a second person: enter someone other than who compounded it."}
        )
    correction_reason = (correction_reason or "").strip()
    if CompoundingRecord.objects.filter(order=locked).exists() and not correction_reason:
        raise ValidationError(
            {"correction_reason": "This order already has a compounding record: say why this one corrects it."}
        )
    return CompoundingRecord.objects.create(
        order=locked,
        lot_number=lot_number,
        compounded_on=compounded_on,
        beyond_use_date=beyond_use_date,
        compounded_by=compounded_by,
        checked_by=checked_by,
        correction_reason=correction_reason,
        recorded_by=pharmacist,
    )
