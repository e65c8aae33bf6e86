"""GET / and POST /: the public "try it" page (the exact reply a patient gets; stored only on request)."""
from __future__ import annotations

import base64
import functools
import hashlib
import json
import re
import uuid
from pathlib import Path

from flask import Blueprint, current_app, render_template, request
from flask_wtf.csrf import generate_csrf, validate_csrf
from wtforms.validators import ValidationError

from bot import replies
from bot.report import Report
from config import channels
from config.logsafe import failure
from store import cases
from web.errors import Malformed, RateLimited
from service import picture
from web.http import PICTURE_BODY, client_ip, limit_body
from web.ratelimit import limit
from web.resources import get_db, get_intake
from webhooks.channel import Channel

bp = Blueprint("try_it", __name__, template_folder="templates")
PAGE_CHANNELS = channels.received_on()
MAX_TEXT = 10_000
TEMPLATE = Path(__file__).with_name("templates") / "try.html"


@functools.cache
def page_csp() -> str:
    """The page's CSP: no script at all, and only the page's own inline <style> block (by its hash)."""
    styles = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()}'"
                      for block in re.findall(r"<style>(.*?)</style>", TEMPLATE.read_text("utf-8"), re.S))
    styles = styles or "'none'"
    return (f"default-src 'none'; style-src {styles}; img-src 'self'; form-action 'self';"
            " frame-ancestors 'none'; base-uri 'none'")


@bp.after_request
def headers(resp):
    """A form with a session cookie: never framed, never cached, nothing loaded from elsewhere."""
    resp.headers["Content-Security-Policy"] = page_csp()
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.get("/")
def page():
    """The empty form."""
    return _render()


@bp.post("/")
def submit():
    """Check the pasted message or screenshot and show the reply; store a case only when asked."""
    limit_body(PICTURE_BODY)
    try:
        validate_csrf(request.form.get("csrf_token", ""))
    except ValidationError:
        raise Malformed("the form expired; reload the page") from None
    if not limit("web").allow(client_ip()):
        raise RateLimited(replies.t("fr", "web", "rate_limited") + " / " + replies.t("en", "web", "rate_limited"))
    form = request.form
    text, sender = form.get("text", "")[:MAX_TEXT], form.get("sender", "").strip()[:200] or None
    channel = form.get("channel") if form.get("channel") in PAGE_CHANNELS else "sms"
    upload = request.files.get("picture")
    data = upload.read(picture.UPLOAD_BYTES + 1) if upload is not None and upload.filename else None
    if not text.strip() and data is None:
        return _render(error="empty", form=form), 400
    report, unread, kept = Report(text=text, channel=channel, sender=sender), None, ()
    if data is not None:
        read = picture.read(report, lambda: data, picture.UPLOAD_BYTES)
        report, unread = (report, read.error) if read.error else (read.report, None)
        kept = read.kept  # staff see the screenshot with the case, when the visitor sends it to them
        if unread and not text.strip():
            return _render(unread=unread, form=form), 400
    try:
        verdict = get_intake().triage.check(report)
    except Exception as exc:  # noqa: BLE001 - the visitor sees a short error, the log has the trace
        current_app.logger.error("try-it: analysis failed: %s", failure(exc))  # never the message: it may quote the text
        return _render(error="error", form=form), 503
    stored = form.get("send_to_staff") == "yes" and _store(report, verdict, kept)
    read_text = report.text if data is not None and not unread else None
    return _render(verdict=verdict, form=form, stored=stored, unread=unread, read_text=read_text)


def _store(report: Report, verdict, kept: tuple[picture.Kept, ...] = ()) -> bool:
    case = cases.NewCase(text=report.text, status="needs_review", sender=report.sender,
                         verdict=verdict.verdict, score=verdict.score, reply=verdict.reply, lang=verdict.lang,
                         verdict_json=json.dumps(verdict.stored(), ensure_ascii=False))
    provider_id = uuid.uuid4().hex
    delivery = cases.record(get_db(), "web", provider_id, verdict.reply, case,
                            also=picture.keeping("web", provider_id, kept, get_intake().keys, None))
    current_app.logger.info("try-it: case %s sent to staff", delivery.case_id)
    return True


def _render(**context):
    unread = context.pop("unread", None)
    if unread:  # a picture that was not read: the patient's answer for that error, in both languages
        context["unread_text"] = {lang: replies.t(lang, "conversation", unread) for lang in ("fr", "en")}
    return render_template("try.html", fr=replies.texts("fr")["web"], en=replies.texts("en")["web"],
                           verdict_text={lang: replies.texts(lang)["verdict"] for lang in replies.LANGS},
                           channels=PAGE_CHANNELS, csrf_token=generate_csrf(), form=context.pop("form", {}),
                           **context)


CHANNEL = Channel("web", ("web",), bp)
