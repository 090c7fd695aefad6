"""WebSocket addresses, served by the ASGI application in portal/asgi.py."""

from django.urls import path

from patients.visits.consumers import VisitRoomConsumer

websocket_urlpatterns = [
    path("ws/visits/<int:pk>/", VisitRoomConsumer.as_asgi()),
]
