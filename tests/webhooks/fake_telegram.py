"""A tiny fake Telegram Bot API on 127.0.0.1 (http.server in a thread): records calls, serves updates.

It fails the way the real one does when asked: `fail_next` answers 502, `throttle_next` answers 429
with `parameters.retry_after`, `delay` slows every answer, a `token` other than the one given
answers 401. getUpdates keeps updates until an offset above them confirms them, and waits up to
its `timeout` for new ones (a long poll). Files put in `files` (file_id -> bytes) are served as the
Bot API serves them: getFile gives a file_path, GET /file/bot<token>/<file_path> the bytes.
"""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl


def _parse(raw: bytes, content_type: str) -> dict[str, Any]:
    """A JSON body, or a form as python-telegram-bot posts it (each value JSON-encoded when not a string)."""
    if "application/x-www-form-urlencoded" not in content_type:
        return json.loads(raw or b"{}")
    out: dict[str, Any] = {}
    for key, value in parse_qsl(raw.decode("utf-8"), keep_blank_values=True):
        try:
            out[key] = json.loads(value)
        except ValueError:
            out[key] = value
    return out


class FakeBotApi:
    """POST /bot<token>/<method> with a JSON body; answers like the Bot API."""

    def __init__(self, token: str | None = None, port: int = 0) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.stamps: list[float] = []  # time.monotonic() of each call, in order
        self.accepted: list[tuple[str, dict[str, Any]]] = []  # calls answered ok (what was delivered)
        self.updates: list[dict[str, Any]] = []
        self.files: dict[str, bytes] = {}
        self.downloads: list[str] = []  # file paths fetched, in order
        self.fail_next = 0
        self.throttle_next = 0
        self.retry_after = 1
        self.throttled_method: str | None = None  # None: any method is throttled
        self.delay = 0.0
        self.token = token
        self.lock = threading.Condition()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                raw_body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                body = _parse(raw_body, self.headers.get("Content-Type", ""))
                token, method = self.path.removeprefix("/bot").rsplit("/", 1)
                status, data = api.answer(token, method, body)
                raw = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                try:
                    self.wfile.write(raw)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client died mid-call (a killed worker): the call still happened

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                token, _, path = self.path.removeprefix("/file/bot").partition("/")
                path = path if self.path.startswith("/file/bot") and api.token in (None, token) else ""
                data = api.files.get(path.removeprefix("photos/"))
                api.downloads.append(path)
                self.send_response(200 if data is not None else 404)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(data or b"")))
                self.end_headers()
                try:
                    self.wfile.write(data or b"")
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client stopped reading (a file over its limit)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def answer(self, token: str, method: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """The status and JSON the Bot API would give."""
        if self.delay:
            time.sleep(self.delay)
        with self.lock:
            self.calls.append((method, body))
            self.stamps.append(time.monotonic())
            if self.token is not None and token != self.token:
                return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
            if self.fail_next:
                self.fail_next -= 1
                return 502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}
            if self.throttle_next and self.throttled_method in (None, method):
                self.throttle_next -= 1
                return 429, {"ok": False, "error_code": 429, "description": "Too Many Requests",
                             "parameters": {"retry_after": self.retry_after}}
            if method == "getMe":
                return 200, {"ok": True, "result": {"id": 1, "is_bot": True, "first_name": "Vigie"}}
            if method == "getFile":
                file_id = str(body.get("file_id"))
                if file_id not in self.files:
                    return 400, {"ok": False, "error_code": 400, "description": "Bad Request: invalid file_id"}
                return 200, {"ok": True, "result": {"file_id": file_id, "file_unique_id": file_id[:16],
                                                    "file_size": len(self.files[file_id]),
                                                    "file_path": f"photos/{file_id}"}}
            if method != "getUpdates":
                self.accepted.append((method, body))
                if method == "sendMessage":  # a Message as the Bot API returns it (python-telegram-bot reads it)
                    return 200, {"ok": True, "result": {"message_id": len(self.calls), "date": int(time.time()),
                                                        "chat": {"id": body.get("chat_id"), "type": "private"},
                                                        "text": body.get("text")}}
                return 200, {"ok": True, "result": True}
            return 200, {"ok": True, "result": self._updates(body)}

    def _updates(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        offset = body.get("offset") or 0
        self.updates = [u for u in self.updates if u.get("update_id", -1) >= offset]  # confirmed ones go
        deadline = time.monotonic() + min(float(body.get("timeout") or 0), 5.0)
        while not self.updates and time.monotonic() < deadline:
            self.lock.wait(deadline - time.monotonic())
        return list(self.updates)

    def push(self, *updates: dict[str, Any]) -> None:
        """New updates for getUpdates (wakes a waiting long poll)."""
        with self.lock:
            self.updates.extend(updates)
            self.lock.notify_all()

    def __enter__(self) -> "FakeBotApi":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    def sent(self, method: str = "sendMessage") -> list[dict[str, Any]]:
        """Bodies of the calls to `method`."""
        with self.lock:
            return [body for name, body in self.calls if name == method]
