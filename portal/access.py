"""Role gates and the scoped-lookup pattern every view uses (docs/domain.md "Roles and access").

- A role gate answers **403** to a signed-in user of the wrong role and sends an anonymous visitor
  to the login page.
- Object scope answers **404** outside it: selectors return querysets already limited to what the
  user may see, and :func:`get_scoped_or_404` turns "not in that queryset" into ``Http404`` so a
  record's existence is never revealed to someone outside its scope.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from django.contrib.auth.mixins import AccessMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from portal.models import PhysicianLicense, ServiceState, User

M = TypeVar("M", bound=Model)

Role = User.Role

# The people who care for patients in the clinic: physicians, and care coordinators (who prescribe
# nothing; docs/domain.md "Care team").
CARE_TEAM_ROLES = (Role.PHYSICIAN, Role.COORDINATOR)


def has_role(user, *roles: str) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role in roles)


def role_required(*roles: str) -> Callable:
    """Decorator for function views: anonymous → login redirect, wrong role → 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, *roles):
                raise PermissionDenied("This page is not part of your role's portal.")
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = roles  # read by the access-matrix tests
        return wrapped

    return decorator


class RoleRequiredMixin(AccessMixin):
    """Class-based twin of :func:`role_required`; set ``allowed_roles``."""

    allowed_roles: tuple[str, ...] = ()
    raise_exception = False

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not has_role(request.user, *self.allowed_roles):
            raise PermissionDenied("This page is not part of your role's portal.")
        return super().dispatch(request, *args, **kwargs)


def staff_required(view: Callable) -> Callable:
    """Decorator for the practice's own pages outside the admin (e.g. the style guide): anonymous →
    login redirect, anyone who is not active staff (``is_staff``) → 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (request.user.is_active and request.user.is_staff):
            raise PermissionDenied("This page is for practice staff.")
        return view(request, *args, **kwargs)

    wrapped.staff_only = True
    return wrapped


def get_scoped_or_404(queryset: QuerySet[M], **lookup) -> M:
    """Fetch one record from a queryset that a selector has already scoped to the user."""
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such record.") from exc


def licensure_day(state: ServiceState, moment: dt.datetime | None = None) -> dt.date:
    """The day a license in ``state`` is judged on: the date in that state's own time zone at
    ``moment`` (now by default). Signing, booking, joining, messaging and reviewing all ask this
    (docs/domain.md "Service states and licenses")."""
    return (moment or timezone.now()).astimezone(zoneinfo.ZoneInfo(state.timezone)).date()


def physician_license_in(
    physician: User, state: ServiceState | None, *, moment: dt.datetime | None = None
) -> PhysicianLicense | None:
    """The physician's license in ``state`` that is active on its :func:`licensure_day`, or None:
    the one answer to "is this physician licensed in the patient's state"."""
    if state is None or physician.role != User.Role.PHYSICIAN:
        return None
    return (
        PhysicianLicense.objects.active_on(licensure_day(state, moment))
        .filter(physician=physician, state=state)
        .order_by("-expires_on")
        .first()
    )


def care_team_serves(user: User, state: ServiceState | None, *, moment: dt.datetime | None = None) -> bool:
    """Whether ``user`` may act for a patient living in ``state`` (the rule of
    ``portal.selectors.care_team_states`` for one state): a physician licensed there
    (:func:`physician_license_in`), a care coordinator while the practice serves it."""
    if state is None or not user.is_active:
        return False
    if user.role == Role.PHYSICIAN:
        return physician_license_in(user, state, moment=moment) is not None
    return user.role == Role.COORDINATOR and state.active


def physicians_licensed_in(state: ServiceState, *, moment: dt.datetime | None = None) -> list[int]:
    """The ids of the active physicians whose license in ``state`` is active on its
    :func:`licensure_day`: who is told when a patient there needs attention."""
    return sorted(
        PhysicianLicense.objects.active_on(licensure_day(state, moment))
        .filter(state=state, physician__is_active=True, physician__role=User.Role.PHYSICIAN)
        .values_list("physician_id", flat=True)
        .distinct()
    )
