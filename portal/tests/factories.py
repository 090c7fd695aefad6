import datetime as dt

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.utils import timezone

from portal.models import PhysicianLicense, ServiceState, User

TEST_PASSWORD = "correct-horse-battery-staple"
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def state(code: str) -> ServiceState:
    return ServiceState.objects.get(code=code)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = User.Role.PATIENT

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or TEST_PASSWORD)
        if create:
            obj.save(update_fields=["password"])
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)

    @factory.post_generation
    def totp(obj, create, extracted, **kwargs):
        # Staff roles must have MFA; give them TOTP unless a test asks for totp=False. A string is
        # the secret to use (a code is accepted once, so people signing in together need their own).
        wanted = obj.must_use_mfa if extracted is None else extracted
        if create and wanted:
            TOTP.activate(obj, extracted if isinstance(extracted, str) else TEST_TOTP_SECRET)


class PhysicianFactory(UserFactory):
    role = User.Role.PHYSICIAN
    npi = factory.Sequence(lambda n: f"{1000000000 + n}")


class PharmacyUserFactory(UserFactory):
    role = User.Role.PHARMACY


class CoordinatorFactory(UserFactory):
    role = User.Role.COORDINATOR


class AdminFactory(UserFactory):
    role = User.Role.STAFF
    is_staff = True
    is_superuser = True


class PhysicianLicenseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PhysicianLicense

    physician = factory.SubFactory(PhysicianFactory)
    state = factory.LazyFunction(lambda: state("TX"))
    number = factory.Sequence(lambda n: f"LIC-{n:05d}")
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=365))
    verified_at = factory.LazyFunction(timezone.now)
