"""A tiny fake Telegram Bot API on 127.0.0.1 (http.server in a thread): records calls, serves updates."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeBotApi:
    """POST /bot<token>/<method> with a JSON body; answers like the Bot API."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.updates: list[dict[str, Any]] = []
        self.fail_next = 0
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                method = self.path.rsplit("/", 1)[-1]
                api.calls.append((method, body))
                if api.fail_next:
                    api.fail_next -= 1
                    self._reply(502, {"ok": False, "description": "Bad Gateway"})
                elif method == "getUpdates":
                    pending, api.updates = api.updates, []
                    self._reply(200, {"ok": True, "result": pending})
                else:
                    self._reply(200, {"ok": True, "result": {"message_id": len(api.calls)}})

            def _reply(self, status: int, data: dict[str, Any]) -> None:
                raw = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "FakeBotApi":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    def sent(self, method: str = "sendMessage") -> list[dict[str, Any]]:
        """Bodies of the calls to `method`."""
        return [body for name, body in self.calls if name == method]
