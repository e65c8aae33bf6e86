"""The desk blueprint: sign-in, CSRF on every POST, roles, security headers, and the one error translation."""
from __future__ import annotations

import unicodedata
from datetime import timedelta
from functools import wraps
from typing import Any, Callable
from urllib.parse import quote, unquote, urlsplit

from flask import Blueprint, Flask, Response, current_app, g, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from review import formats
from service.desk import REVIEW_BELOW_SCORE, TARGET_HOURS, DeskConfig, DeskError, NotFound
from store import audit, staff
from store import review as queries
from web.http import client_ip
from web.ratelimit import RateLimiter
from web.resources import get_db

bp = Blueprint("review", __name__, url_prefix="/review", template_folder="templates",
               static_folder="static", static_url_path="/static")
csrf = CSRFProtect()
formats.register(bp)
PUBLIC = {"review.login", "review.login_post", "review.static"}
IP_FAILURES = 20  # failed sign-ins from one address in a burst; then one more every IP_WINDOW / IP_FAILURES s
IP_WINDOW = 15 * 60
SESSION_HOURS = 8
_CSP = ("default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; form-action 'self';"
        " frame-ancestors 'none'; base-uri 'none'")


def register(app: Flask, settings: Any = None) -> None:
    """CSRF (checked by the desk itself: webhooks are verified by their signatures), settings, the blueprint."""
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    app.permanent_session_lifetime = timedelta(hours=SESSION_HOURS)  # only the desk makes sessions permanent
    csrf.init_app(app)
    app.extensions["vigie.desk"] = {
        "config": DeskConfig(float(getattr(settings, "review_below_score", REVIEW_BELOW_SCORE)),
                             float(getattr(settings, "review_target_hours", TARGET_HOURS))),
        # Failed sign-ins per address, all workers; refused when they cannot be counted (fail closed).
        "throttle": RateLimiter("login", IP_FAILURES, IP_WINDOW, when_uncounted=False),
    }
    # the modules of routes attach them to `bp` on import
    from review import insight, picture_view, registry_pages, views  # noqa: F401,PLC0415

    app.register_blueprint(bp)


def desk_config() -> DeskConfig:
    """The desk settings of this app."""
    return current_app.extensions["vigie.desk"]["config"]


@bp.before_request
def guard() -> Response | None:
    """CSRF on every POST, then sign-in (anonymous -> the login page)."""
    if request.endpoint == "review.static":
        return None
    if request.method == "POST":
        csrf.protect()
    g.staff = _signed_in()
    if g.staff is None and request.endpoint not in PUBLIC:
        return redirect(url_for("review.login", next=request.full_path if request.method == "GET" else None))
    return None


def _signed_in() -> queries.StaffMember | None:
    """The session's account, if its session version is still the account's (logout ends every session)."""
    staff_id, version = session.get("staff_id"), session.get("session_version")
    if not isinstance(staff_id, int) or not isinstance(version, int):
        return None
    if staff.session_version(get_db(), staff_id) != version:
        session.clear()
        return None
    return queries.staff_member(get_db(), staff_id)


def admin_only(view: Callable[..., Any]) -> Callable[..., Any]:
    """Admins only (403 for reviewers)."""
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if g.staff.role != "admin":
            return render_template("error.html", status=403, message="Réservé aux administrateurs."), 403
        return view(*args, **kwargs)
    return wrapped


@bp.after_request
def headers(resp: Response) -> Response:
    """Patient data: never cached, never framed, no inline script, no referrer."""
    resp.headers.setdefault("Content-Security-Policy", _CSP)  # the app adds nosniff, framing, referrer, HSTS
    if request.endpoint != "review.static":
        resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.errorhandler(CSRFError)
def csrf_refused(exc: CSRFError) -> tuple[str, int]:
    """A POST without a valid CSRF token."""
    return render_template("error.html", status=400, message="Formulaire expiré ou invalide : rechargez la page."), 400


@bp.errorhandler(DeskError)
def desk_refused(exc: DeskError) -> tuple[str, int]:
    """The one translation of named desk errors."""
    status = 404 if isinstance(exc, NotFound) else 400
    return render_template("error.html", status=status, message=exc), status


@bp.errorhandler(404)
def not_found(exc: HTTPException) -> tuple[str, int]:
    """Unknown page or object."""
    return render_template("error.html", status=404, message="Introuvable."), 404


@bp.get("/login")
def login() -> str:
    """The sign-in form."""
    return render_template("login.html", next=_safe_next(request.args.get("next")))


@bp.post("/login")
def login_post() -> Any:
    """Check e-mail and password (argon2), with lockout per account and per address."""
    throttle: RateLimiter = current_app.extensions["vigie.desk"]["throttle"]
    ip, email = client_ip(), request.form.get("email", "")[:254]
    if not throttle.allow(ip):  # taken before the check, so concurrent guesses cannot overdraw the budget
        return render_template("login.html", error="Trop d'essais : réessayez dans quelques minutes."), 429, {
            "Retry-After": str(throttle.wait(ip))}
    member = queries.authenticate(get_db(), email, request.form.get("password", "")[:1024])
    if member is None:
        audit.record(get_db(), f"ip:{ip}", "login_failed", email.strip().lower()[:254])
        return render_template("login.html", error="E-mail ou mot de passe incorrect (ou compte bloqué quelques minutes).",
                               email=email, next=_safe_next(request.form.get("next"))), 401
    throttle.refund(ip)  # only failures count
    session.clear()  # a fresh session at sign-in (no fixation)
    session.permanent = True
    session["staff_id"] = member.id
    session["session_version"] = staff.session_version(get_db(), member.id)
    audit.record(get_db(), member.email, "login", f"ip:{ip}")
    return redirect(_safe_next(request.form.get("next")) or url_for("review.queue"))


@bp.post("/logout")
def logout() -> Any:
    """Sign out: every session of this account ends, not only this cookie (a copy of it is worthless)."""
    staff.end_sessions(get_db(), g.staff.id)
    audit.record(get_db(), g.staff.email, "logout")
    session.clear()
    return redirect(url_for("review.login"))


def _safe_next(target: str | None) -> str:
    """Only a path inside the desk (never another site, never a header break) may follow sign-in."""
    target = (target or "").strip()
    if not target.startswith("/review/") or len(target) > 2000 or "\\" in target or "//" in target:
        return ""
    if any(unicodedata.category(c)[0] in "CZ" for c in target):
        return ""  # CR, LF, tab, spaces, invisible characters: browsers strip or split on them
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or ".." in unquote(parts.path).split("/"):
        return ""
    return quote(target.rstrip("?"), safe="/?&=%:@!$'()*+,;~-._#")  # ASCII only in a Location header
