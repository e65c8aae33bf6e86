"""POST /webhooks/twilio: SMS and WhatsApp through Twilio, answered with TwiML."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, request
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from bot.report import Report
from config.settings import Settings
from service import picture
from service.intake import Inbound
from web.errors import Forged, IntakeError, Malformed
from web.http import SMALL_BODY, limit_body
from web.resources import get_db, get_intake
from webhooks import media
from webhooks.channel import Channel

bp = Blueprint("twilio", __name__)
MAX_MEDIA = 10  # Twilio sends at most 10 media with one message


@bp.post("/webhooks/twilio")
def inbound() -> Response:
    """Verify the signature, then hand the message to the intake core; reply with TwiML."""
    limit_body(SMALL_BODY)
    intake = get_intake()
    _verify(intake.settings.twilio_auth_token, intake.settings.public_url)
    msg = parse(request.form, intake.settings)
    try:
        messages = intake.receive(get_db(), msg).messages
    except IntakeError:
        raise
    except Exception as exc:  # noqa: BLE001 - Twilio does not redeliver: answer, and keep what can be kept
        current_app.logger.error("twilio message could not be handled (%s); kept as an error case", type(exc).__name__)
        note = f"{msg.channel} message could not be handled ({type(exc).__name__})"
        messages = (intake.salvage(get_db(), msg.channel, msg.provider_id, msg.address, msg.report.text, None, note),)
    twiml = MessagingResponse()
    for text in messages:
        twiml.message(text)
    return Response(str(twiml), mimetype="text/xml")


def _verify(auth_token: str, public_url: str) -> None:
    signature = request.headers.get("X-Twilio-Signature", "")
    url = public_url + request.path + (f"?{request.query_string.decode()}" if request.query_string else "")
    # request.form itself (a MultiDict), so repeated parameters are signed as Twilio signs them.
    if not signature or not RequestValidator(auth_token).validate(url, request.form, signature):
        current_app.logger.warning("twilio: bad signature from %s", request.remote_addr)
        raise Forged("the X-Twilio-Signature does not match")


def parse(form, settings: Settings | None = None) -> Inbound:
    """The Inbound of a Twilio messaging webhook form; its pictures are fetched with the account's
    credentials when the intake asks (other media without text get the media answer)."""
    sid, sender = form.get("MessageSid", "").strip(), form.get("From", "").strip()
    if not sid or not sender:
        raise Malformed("MessageSid and From are required")
    channel = "whatsapp" if sender.startswith("whatsapp:") else "sms"
    body = form.get("Body", "")
    try:
        count = min(int(form.get("NumMedia", "0") or 0), MAX_MEDIA)
    except ValueError:
        raise Malformed("NumMedia is not a number") from None
    urls = [form.get(f"MediaUrl{i}", "") for i in range(count)
            if media.is_image(form.get(f"MediaContentType{i}")) and form.get(f"MediaUrl{i}")]
    loads = tuple(picture_loader(settings, form, url, channel) for url in urls) if settings else ()
    return Inbound(channel, sid, sender, Report(text=body[:10_000], channel=channel),
                   media=count > 0 and not loads, picture=loads or None)


def picture_loader(settings: Settings, form, url: str, channel: str):
    """The picture at MediaUrl, with HTTP basic auth (account SID, auth token), from Twilio's host only."""
    account = settings.twilio_account_sid or form.get("AccountSid", "")
    hosts = settings.twilio_media_hosts or ("api.twilio.com",)
    return media.loader(url, max_bytes=picture.MAX_BYTES[channel], hosts=hosts,
                        auth=(account, settings.twilio_auth_token))


CHANNEL = Channel("twilio", ("sms", "whatsapp"), bp, "TWILIO_AUTH_TOKEN",
                  lambda s: s.twilio_auth_token)
