"""Time from request to answer for a 1080 x 2400 screenshot on every channel (run by hand, one core).

    python bench/screenshots.py --out var/screens --n 200     # once: render the test set
    python bench/picture_channels.py var/screens [--limit 20]

Each screenshot goes through each channel's real route in the app (Flask test client, real SQLite,
signed requests): Twilio MMS (MediaUrl fetched with basic auth from a fake media server on
127.0.0.1), Telegram photo (getFile and the download from a fake Bot API on 127.0.0.1), e-mail with
the screenshot attached (signed Mailgun form) and the API upload. The time covers parsing, the
download over loopback, reading the picture, the engine and storing the case; not the provider's
network. Twilio abandons a webhook after 15 s: the p95 and max are printed against that.
"""
from __future__ import annotations

import argparse
import hashlib
import hmac
import io
import json
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.ocr import _percentile, one_core  # noqa: E402

TWILIO_TOKEN, ACCOUNT, BOT_TOKEN = "bench-twilio-token", "AC" + "2" * 32, "42:bench-bot-token"
TELEGRAM_SECRET, MAILGUN_KEY, API_TOKEN = "bench-telegram-secret", "bench-mailgun-key", "bench-api-token"
PUBLIC_URL = "https://vigie.example.org"
WINDOW_S = 15.0  # Twilio's webhook timeout


@dataclass
class Quiet:
    """A sender that keeps what would be sent (the bench measures the answer, not the provider)."""

    sent: list = field(default_factory=list)

    def send(self, address, body, meta) -> None:
        self.sent.append(body)


def screenshots(folder: Path, limit: int) -> list[bytes]:
    """Up to `limit` pictures of exactly 1080 x 2400 (straight screenshots, PNG or JPEG)."""
    from PIL import Image
    out = []
    for path in sorted(p for p in folder.iterdir() if p.suffix in (".png", ".jpg")):
        with Image.open(path) as image:
            if image.size == (1080, 2400):
                out.append(path.read_bytes())
        if len(out) >= limit:
            break
    return out


def twilio(client, media, data: bytes) -> str:
    from twilio.request_validator import RequestValidator
    path = f"/2010-04-01/Accounts/{ACCOUNT}/Messages/MM{uuid.uuid4().hex}/Media/ME1"
    media.files[path] = (data, "image/png" if data[:4] == b"\x89PNG" else "image/jpeg")
    form = {"MessageSid": f"MM{uuid.uuid4().hex}", "From": "+33612345678", "To": "+33757000000", "Body": "",
            "NumMedia": "1", "MediaUrl0": media.url + path, "MediaContentType0": media.files[path][1],
            "AccountSid": ACCOUNT}
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(PUBLIC_URL + "/webhooks/twilio", form)
    resp = client.post("/webhooks/twilio", data=form, headers={"X-Twilio-Signature": signature})
    return resp.get_data(as_text=True)


def telegram(client, api, data: bytes) -> str:
    file_id = uuid.uuid4().hex
    api.files[file_id] = data
    update = {"update_id": int(uuid.uuid4().int % 10**9), "message": {
        "message_id": 1, "date": int(time.time()), "chat": {"id": 4242, "type": "private"},
        "from": {"id": 4242, "is_bot": False, "first_name": "Marie", "language_code": "fr"},
        "photo": [{"file_id": file_id, "file_unique_id": file_id[:8], "width": 1080, "height": 2400}]}}
    resp = client.post("/webhooks/telegram", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET})
    return resp.get_data(as_text=True)


def email(client, data: bytes) -> str:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "marie.patient@example.fr", "verifier@vigie.example.org", "Capture"
    msg["Message-ID"] = f"<{uuid.uuid4().hex}@example.fr>"
    msg.set_content("Est-ce une arnaque ?")
    msg.add_attachment(data, maintype="image", subtype="png" if data[:4] == b"\x89PNG" else "jpeg",
                       filename="capture")
    ts, token = str(int(time.time())), uuid.uuid4().hex + uuid.uuid4().hex[:18]
    sig = hmac.new(MAILGUN_KEY.encode(), (ts + token).encode(), hashlib.sha256).hexdigest()
    form = {"timestamp": ts, "token": token, "signature": sig, "body-mime": msg.as_bytes().decode()}
    return client.post("/webhooks/email/mime", data=form).get_data(as_text=True)


def api(client, data: bytes) -> str:
    resp = client.post("/api/v1/check", data={"image": (io.BytesIO(data), "capture")},
                       headers={"Authorization": f"Bearer {API_TOKEN}"}, content_type="multipart/form-data")
    return resp.get_data(as_text=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("screens", type=Path)
    parser.add_argument("--limit", type=int, default=20)
    args = parser.parse_args()
    one_core()
    from dataclasses import replace
    from config.settings import Settings
    from tests.webhooks.fake_media import FakeMedia
    from tests.webhooks.fake_telegram import FakeBotApi
    from vigie.app import create_app
    pictures = screenshots(args.screens, args.limit)
    if not pictures:
        raise SystemExit(f"no 1080 x 2400 screenshot in {args.screens}: run bench/screenshots.py first")
    with FakeMedia(ACCOUNT, TWILIO_TOKEN) as media, FakeBotApi(token=BOT_TOKEN) as bot_api:
        settings = Settings(db_path=Path(tempfile.mkdtemp(prefix="vigie-pic-bench-")) / "bench.sqlite3",
                            secret_key="bench", data_key="bench", public_url=PUBLIC_URL,
                            twilio_auth_token=TWILIO_TOKEN, twilio_account_sid=ACCOUNT,
                            twilio_media_hosts=("127.0.0.1",), telegram_webhook_secret=TELEGRAM_SECRET,
                            telegram_bot_token=BOT_TOKEN, telegram_api_url=bot_api.url,
                            mailgun_signing_key=MAILGUN_KEY, api_tokens=(API_TOKEN,), smtp_from="vigie@example.org")
        quiet = Quiet()
        client = create_app(replace(settings), senders={c: quiet for c in ("sms", "whatsapp", "telegram", "email")}
                            ).test_client()
        channels = {"twilio": lambda d: twilio(client, media, d), "telegram": lambda d: telegram(client, bot_api, d),
                    "email": lambda d: email(client, d), "api": lambda d: api(client, d)}
        for send in channels.values():  # warm-up: engine, OCR and first requests loaded
            send(pictures[0])
        times: dict[str, list[float]] = {name: [] for name in channels}
        for data in pictures:
            for name, send in channels.items():
                t0 = time.perf_counter()
                send(data)
                times[name].append(time.perf_counter() - t0)
    print(f"{len(pictures)} screenshots 1080 x 2400, one core, request to answer (seconds):")
    print(f"{'channel':10} {'p50':>6} {'p95':>6} {'max':>6}  within Twilio's {WINDOW_S:.0f} s")
    for name, values in times.items():
        p95, worst = _percentile(values, 0.95), max(values)
        print(f"{name:10} {statistics.median(values):6.2f} {p95:6.2f} {worst:6.2f}  "
              f"{'yes' if worst < WINDOW_S / 3 else 'tight' if worst < WINDOW_S else 'NO'}")
    import sqlite3
    with sqlite3.connect(settings.db_path) as db:
        statuses = dict(db.execute("SELECT status, count(*) FROM cases GROUP BY status").fetchall())
    print(f"cases by status (an unread picture is an 'error' case): {statuses}")
    print(json.dumps({name: round(_percentile(v, 0.95), 3) for name, v in times.items()}))


if __name__ == "__main__":
    main()
