"""A WebSocket client for tests that talks to the ASGI application in-process, on asgiref's
ApplicationCommunicator. (channels.testing offers the same, but importing it imports daphne, whose
TLS extra cannot be installed beside the cryptography release the portal pins.)"""

from __future__ import annotations

import json

from asgiref.testing import ApplicationCommunicator


class SocketClient(ApplicationCommunicator):
    def __init__(self, application, path: str, headers: list[tuple[bytes, bytes]]):
        scope = {"type": "websocket", "path": path, "query_string": b"", "headers": headers, "subprotocols": []}
        super().__init__(application, scope)

    async def connect(self, timeout: float = 5) -> tuple[bool, int | None]:
        await self.send_input({"type": "websocket.connect"})
        response = await self.receive_output(timeout)
        if response["type"] == "websocket.close":
            return False, response.get("code", 1000)
        assert response["type"] == "websocket.accept", response
        return True, None

    async def send_to(self, text_data: str) -> None:
        await self.send_input({"type": "websocket.receive", "text": text_data})

    async def send_json_to(self, data) -> None:
        await self.send_to(json.dumps(data))

    async def receive_json_from(self, timeout: float = 5):
        response = await self.receive_output(timeout)
        assert response["type"] == "websocket.send", response
        return json.loads(response["text"])

    async def disconnect(self, code: int = 1000, timeout: float = 5) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": code})
        await self.wait(timeout)
