import datetime as dt

import factory
from django.utils import timezone

from portal.tests.factories import PharmacyUserFactory, state
from prescriptions.models import Pharmacy, PharmacyLicense, PharmacyMembership


class PharmacyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pharmacy

    name = factory.Sequence(lambda n: f"Compounding Pharmacy {n}")
    address_line1 = "1 Main St"
    city = "Austin"
    state_code = "TX"
    postal_code = "78701"
    phone = "512-555-0100"


class PharmacyLicenseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PharmacyLicense

    pharmacy = factory.SubFactory(PharmacyFactory)
    state = factory.LazyFunction(lambda: state("TX"))
    number = factory.Sequence(lambda n: f"PH-{n:05d}")
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=365))
    verified_at = factory.LazyFunction(timezone.now)


class PharmacyMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PharmacyMembership

    user = factory.SubFactory(PharmacyUserFactory)
    pharmacy = factory.SubFactory(PharmacyFactory)
