"""A fake provider media server on 127.0.0.1 (Twilio's MediaUrl): basic auth, files by path, a log."""
from __future__ import annotations

import base64
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeMedia:
    """GET <path> answers the bytes put in `files[path]` with their content type, to the right login only."""

    def __init__(self, user: str, password: str) -> None:
        self.files: dict[str, tuple[bytes, str]] = {}
        self.requests: list[tuple[str, str]] = []  # (path, Authorization header)
        self.drip = 0.0  # seconds between 1 KB chunks: a server sending slowly
        expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        media = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                auth = self.headers.get("Authorization", "")
                media.requests.append((self.path, auth))
                found = media.files.get(self.path)
                status = 401 if auth != expected else 200 if found else 404
                data, ctype = found if status == 200 and found else (b"", "text/plain")
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    for i in range(0, len(data), 1024 if media.drip else len(data) or 1):
                        self.wfile.write(data[i:i + (1024 if media.drip else len(data))])
                        self.wfile.flush()
                        time.sleep(media.drip)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client stopped reading (too large)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "FakeMedia":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
