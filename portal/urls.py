from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from portal import session_expiry, styleguide, views

# The admin signs in through allauth so that MFA, rate limits and lockout apply there too.
admin.site.login = views.admin_login
admin.site.site_header = "LDN Care Portal administration"
admin.site.site_title = "LDN Care admin"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    # "Stay signed in" on the session-expiry warning: renews the session, answers its seconds left.
    path("session/refresh/", session_expiry.session_refresh, name="session_refresh"),
    path("staff/styleguide/", styleguide.styleguide, name="styleguide"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("education.urls")),
    path("", include("patients.urls")),
    path("", include("patients.payments.urls")),
    path("", include("prescriptions.urls")),
]

if settings.BENCH_BASELINE_VIEW:
    urlpatterns.append(path("bench/ok", views.bench_ok))
