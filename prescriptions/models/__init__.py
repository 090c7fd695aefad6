from prescriptions.models.compounding import CompoundingRecord, OrderVerification
from prescriptions.models.fax import FaxTransmission
from prescriptions.models.orders import DRUG_NAME, Filler, OrderEvent, OrderStatus, PrescriptionOrder, RefillRequest
from prescriptions.models.pharmacies import (
    Pharmacy,
    PharmacyLicense,
    PharmacyMembership,
    PharmacyPreference,
    PharmacyPriceRange,
    StateDefaultPharmacy,
)
from prescriptions.models.plans import (
    DosingTime,
    Formulation,
    PauseKind,
    PlanEvent,
    PlanTemplate,
    TitrationPlan,
    TitrationStep,
)

__all__ = [
    "CompoundingRecord",
    "DRUG_NAME",
    "FaxTransmission",
    "DosingTime",
    "Filler",
    "Formulation",
    "OrderEvent",
    "OrderStatus",
    "OrderVerification",
    "PauseKind",
    "Pharmacy",
    "PharmacyLicense",
    "PharmacyMembership",
    "PharmacyPreference",
    "PharmacyPriceRange",
    "PlanEvent",
    "PlanTemplate",
    "PrescriptionOrder",
    "RefillRequest",
    "StateDefaultPharmacy",
    "TitrationPlan",
    "TitrationStep",
]
