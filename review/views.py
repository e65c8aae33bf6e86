"""The desk pages: queue, case, decide, reveal, propose; campaigns; staff, proposals and audit for admins."""
from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from flask import abort, g, redirect, render_template, request, url_for

from bot import campaigns as fingerprints
from bot.replies import display_phone
from review import formats, present, registry_pages
from review.web import admin_only, bp, desk_config
from service import desk
from store import audit, audit_view, clock, indicators, registry_admin, staff
from store import campaigns as campaign_store
from store import review as queries
from web.resources import get_db, get_intake

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CHANNELS = ("sms", "whatsapp", "telegram", "email", "api", "web")
VERDICTS = ("scam", "suspicious", "legitimate", "unknown", "none")


@bp.before_request
def speak() -> None:
    """The desk speaks the signed-in staff member's language (set by `guard` before this runs)."""
    member = g.get("staff")
    g.desk_lang = getattr(member, "lang", "fr") if member else "fr"


@bp.post("/language")
def language() -> Any:
    """A staff member chooses the language of their desk (French or English); back to the page they were on."""
    staff.set_lang(get_db(), g.staff.id, request.form.get("lang", "")) or abort(400)
    back = request.referrer or ""
    return redirect(back if back.startswith(request.host_url + "review/") else url_for("review.queue"))


@bp.get("/")
def queue() -> str:
    """Cases needing a person first (most-reported campaign, then oldest), then the campaigns staff decided lately,
    then the latest automatic answers."""
    db, config = get_db(), desk_config()
    desk.assign_pending(db, keys=get_intake().keys)
    filters = _filters()
    waiting, total = queries.queue(db, config.review_below, filters, after=request.args.get("apres", "")[:200])
    decided, latest = _decided_apart(queries.recent(db, config.review_below, filters))
    now = clock.now()
    return render_template("queue.html", waiting=[_row(r, now, config.target_hours) for r in waiting], total=total,
                           decided=[_row(r, now, config.target_hours) for r in decided],
                           latest=[_row(r, now, config.target_hours) for r in latest], filters=filters,
                           channels=CHANNELS, verdicts=VERDICTS, institutions=queries.institutions(db),
                           target_hours=config.target_hours, count_limit=queries.COUNT_LIMIT,
                           next_page=queries.next_page(waiting))


@bp.get("/case/<int:case_id>")
def case(case_id: int) -> str:
    """One case: the message with its evidence, indicators judged, institution, campaign, decision form."""
    return _case_page(case_id, reveal=False)


@bp.post("/case/<int:case_id>/reveal")
def reveal(case_id: int) -> str:
    """Show the patient's personal data in this message, once, and log who asked."""
    queries.case(get_db(), case_id) or abort(404)
    audit.record(get_db(), g.staff.email, "reveal", json.dumps({"case": case_id}))
    return _case_page(case_id, reveal=True)


@bp.post("/case/<int:case_id>/decide")
def decide(case_id: int) -> Any:
    """Confirm or override the verdict of this case's campaign, with a note."""
    db = get_db()
    row = queries.case(db, case_id) or abort(404)
    if row["campaign_id"] is None:
        desk.assign_pending(db, keys=get_intake().keys)
        row = queries.case(db, case_id)
    form, keys, campaign_id = request.form, get_intake().keys, int(row["campaign_id"])
    chosen = desk.chosen_indicators(db, campaign_id, keys, form.getlist("indicator")) \
        if form.get("indicators_listed") else None
    settled = desk.decide(db, campaign_id, form.get("verdict", ""), form.get("note", ""), g.staff.email,
                          case_id=case_id, keys=keys, chosen=chosen)
    return redirect(url_for("review.case", case_id=case_id, decided=settled.decision_id, notified=settled.notified))


@bp.post("/case/<int:case_id>/propose")
def propose(case_id: int) -> Any:
    """After a false alarm: propose an official contact with its source (an admin accepts it later)."""
    form = request.form
    desk.propose_contact(get_db(), case_id, form.get("kind", ""), form.get("value", ""), form.get("source", ""),
                         form.get("note", ""), g.staff.email)
    return redirect(url_for("review.case", case_id=case_id, proposed=1))


@bp.get("/campaigns")
def campaigns() -> str:
    """Campaigns by number of reporters."""
    db = get_db()
    desk.assign_pending(db, keys=get_intake().keys)
    # Masked as on every page that shows message text (names, addresses, dates of birth…).
    rows = [{**r, "signature": present.signature(r["signature"])} for r in queries.campaign_list(db)]
    return render_template("campaigns.html", campaigns=rows)


@bp.get("/campaign/<int:campaign_id>")
def campaign(campaign_id: int) -> Any:
    """A campaign opens on its most recent case."""
    found = queries.members(get_db(), campaign_id, limit=1) or abort(404)
    return redirect(url_for("review.case", case_id=found[0]["id"]))


@bp.get("/staff")
@admin_only
def staff_page() -> str:
    """Staff accounts (admins)."""
    return render_template("staff.html", accounts=queries.staff_list(get_db()), roles=staff.ROLES,
                           created=request.args.get("created"))


@bp.post("/staff")
@admin_only
def staff_add() -> str:
    """Create an account; the generated password is shown once."""
    db, email, role = get_db(), request.form.get("email", ""), request.form.get("role", "")
    password = staff.generate_password()
    try:
        staff.add(db, email, role, password)
    except staff.StaffError as exc:
        return render_template("staff.html", accounts=queries.staff_list(db), roles=staff.ROLES, error=exc), 400
    audit.record(db, g.staff.email, "staff_add", json.dumps({"email": email.strip().lower(), "role": role}))
    return render_template("staff.html", accounts=queries.staff_list(db), roles=staff.ROLES,
                           new_password=password, new_email=email.strip().lower())


@bp.post("/staff/<int:staff_id>")
@admin_only
def staff_change(staff_id: int) -> Any:
    """Change a role or lift a lock."""
    db, action = get_db(), request.form.get("action", "")
    if action == "unlock":
        done = queries.unlock(db, staff_id)
    elif action == "role" and staff_id != g.staff.id:  # an admin cannot demote themself out of the desk
        try:
            done = queries.set_role(db, staff_id, request.form.get("role", ""))
        except staff.StaffError as exc:  # a role the desk does not have: said, not a server error
            return render_template("staff.html", accounts=queries.staff_list(db), roles=staff.ROLES, error=exc), 400
    else:
        abort(400)
    if not done:
        abort(404)
    audit.record(db, g.staff.email, f"staff_{action}", json.dumps({"staff": staff_id, "role": request.form.get("role")}))
    return redirect(url_for("review.staff_page"))


@bp.get("/proposals")
@admin_only
def proposals() -> str:
    """Proposed official contacts waiting for an admin, who accepts them into the registry or rejects them."""
    return registry_pages.proposals_page()


@bp.get("/audit")
@admin_only
def audit_page() -> str:
    """The append-only log of staff actions (reveals of patients' data included), filtered."""
    db, f = get_db(), audit_view.AuditFilter.parse(request.args)
    entries = audit_view.entries(db, f)
    actors, actions = audit_view.choices(db)
    older = entries[-1]["id"] if len(entries) == audit_view.PAGE else 0
    return render_template("audit.html", entries=entries, filters=f, actors=actors, actions=actions, older=older)


def _case_page(case_id: int, reveal: bool) -> str:
    db = get_db()
    row = queries.case(db, case_id) or abort(404)
    data = desk.verdict_data(row["verdict_json"])
    text = fingerprints.analysed_text(row["text"], row["subject"], data)
    campaign_id = row["campaign_id"]
    similar = queries.members(db, campaign_id, but=case_id) if campaign_id else []
    institution = data.get("institution") if isinstance(data.get("institution"), dict) else None
    return render_template(
        "case.html", case=_row(row, clock.now(), desk_config().target_hours), data=data, reveal=reveal,
        segments=present.segments(text, data, reveal=reveal), indicators=present.indicators(data),
        institution=institution, official=_official(db, institution),
        reasons=data.get("reasons") or [], reply=row["reply"] or "", reply_lang=str(data.get("lang") or "fr")[:5],
        reason_text={r.get("code"): r.get("message", "") for r in data.get("reasons") or () if isinstance(r, dict)},
        campaign=campaign_store.get(db, campaign_id) if campaign_id else None,
        decisions=campaign_store.decisions_of(db, campaign_id) if campaign_id else [],
        confirmed=[{**i, "value": present.defang_value(str(i["kind"]), str(i["value"]))}
                   for i in indicators.of_campaign(db, campaign_id)] if campaign_id else [],
        offered=[(desk.choice_token(k, v), k, present.defang_value(k, v))
                 for k, v in desk.blockable(db, campaign_id, get_intake().keys)]
        if campaign_id else [],
        similar=[{**s, "excerpt": present.excerpt(s["text"] or "", {})} for s in similar],
        decisions_allowed=desk.DECISIONS, contact_kinds=desk.CONTACT_KINDS, args=request.args)


def _row(r: dict[str, Any], now: datetime, target_hours: float) -> dict[str, Any]:
    data = desk.verdict_data(r["verdict_json"])
    text = fingerprints.analysed_text(r["text"] or "", r["subject"], data)
    hours = (now - clock.parse(r["received_at"])).total_seconds() / 3600
    return {**r, "excerpt": present.excerpt(text, data), "indicators": present.indicators(data),
            "age": _age(hours), "late": hours > target_hours, "age_share": min(hours / target_hours, 1.0)}


def _official(db: Any, institution: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The claimed institution's official contacts as the registry holds them now, numbers first, each with what
    the registry says of it (its kind, whether replies quote it, its note); none when it is not in the registry."""
    if not institution or not institution.get("id"):
        return []
    order = {kind: i for i, kind in enumerate(registry_admin.KINDS)}
    rows = sorted(registry_admin.contacts(db, str(institution["id"])),
                  key=lambda c: (order.get(c["kind"], len(order)), not c["is_primary"], c["id"]))
    return [{**c, "shown": display_phone(c["value"]) if c["kind"] == "phone"
             else present.defang_value(str(c["kind"]), str(c["value"]))} for c in rows]


def _decided_apart(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Latest answers split: campaigns staff decided (each once, by its latest case, latest decision first), and
    cases the machine answered alone."""
    decided = {}
    for r in rows:
        if r["decided"] and r["campaign_id"] not in decided:
            decided[r["campaign_id"]] = r
    ordered = sorted(decided.values(), key=lambda r: str(r["decided_at"] or ""), reverse=True)
    return ordered, [r for r in rows if not r["decided"]]


def _age(hours: float) -> str:
    if hours < 1:
        return f"{int(hours * 60)} min"
    if hours < 48:
        return f"{int(hours)} h {int(hours % 1 * 60):02d}"
    return formats.gettext("{n} j", n=int(hours // 24))


def _filters() -> queries.Filters:
    a = request.args
    day = lambda v: v if _DAY.match(v or "") else ""  # noqa: E731
    return queries.Filters(channel=a.get("channel", "") if a.get("channel") in CHANNELS else "",
                           institution=a.get("institution", "")[:100],
                           verdict=a.get("verdict", "") if a.get("verdict") in VERDICTS else "",
                           since=day(a.get("since", "")), until=day(a.get("until", "")))
