"""Request limits that apply before a route runs: the body cap and the API key.

The body cap is plain ASGI middleware so that it answers 413 from the ``Content-Length`` header
alone, before the body is read, and stops a body without a length (chunked) as soon as it has
passed the cap: a client cannot make the server buffer more than ``max_body`` bytes.
"""

from __future__ import annotations

import hmac
import json

API_KEY_HEADER = "X-API-Key"


def _error_response(status: int, message: str):
    body = json.dumps({"error": message}).encode("utf-8")
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    return ({"type": "http.response.start", "status": status, "headers": headers},
            {"type": "http.response.body", "body": body})


class BodyLimit:
    """ASGI middleware: 413 for a request body over ``max_body`` bytes."""

    def __init__(self, app, max_body: int):
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        message = f"request body over the limit of {self.max_body} bytes"
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None:
            try:
                too_big = int(length) > self.max_body
            except ValueError:
                too_big = False  # the server itself rejects a malformed length
            if too_big:
                return await self._send(send, 413, message)
        seen = 0
        over = False

        async def counting_receive():
            nonlocal seen, over
            if over:
                return {"type": "http.disconnect"}
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.max_body:
                    # Whatever the app makes of a vanished client, it answers nobody: the
                    # 413 below does.
                    over = True
                    return {"type": "http.disconnect"}
            return msg

        started = False

        async def guarded_send(msg):
            nonlocal started
            if not over:
                started = started or msg["type"] == "http.response.start"
                await send(msg)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not over:
                raise
        if over and not started:
            await self._send(send, 413, message)

    @staticmethod
    async def _send(send, status: int, message: str) -> None:
        start, body = _error_response(status, message)
        await send(start)
        await send(body)


def key_matches(given: str | None, expected: str) -> bool:
    """Compare in constant time, so the answer's timing says nothing about the key."""
    return given is not None and hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def key_from_headers(headers) -> str | None:
    """The key from ``X-API-Key`` or ``Authorization: Bearer``."""
    key = headers.get(API_KEY_HEADER)
    if key is None:
        auth = headers.get("authorization", "")
        if auth[:7].lower() == "bearer ":
            key = auth[7:].strip()
    return key
