import factory

from patients.models import Patient
from portal.tests.factories import UserFactory, state


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    user = factory.SubFactory(UserFactory)
    state = factory.LazyFunction(lambda: state("TX"))
    timezone = "America/Chicago"
