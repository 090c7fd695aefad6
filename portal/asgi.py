"""The portal's ASGI application: pages over HTTP (Django), and the video room's signaling over
WebSocket (Channels). docs/architecture.md "Video visits"."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
# Django is set up before anything imports models.
http_application = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from patients.visits.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": http_application,
        # The Origin header must name one of ALLOWED_HOSTS (no other site's page can open the
        # socket with the visitor's cookie); the session cookie then says who is connecting.
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
