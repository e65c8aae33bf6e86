"""Registry admin pages (admins only): search, an institution's contacts beside the imported values, imports,
proposed contacts accepted or rejected. The rules live in store.registry_admin."""
from __future__ import annotations

from typing import Any, Callable

from flask import abort, g, redirect, render_template, request, url_for

from review import present
from review.web import admin_only, bp
from store import campaigns as campaign_store
from store import clock
from store import registry_admin as admin
from web.resources import get_db


@bp.errorhandler(admin.RegistryAdminError)
def registry_refused(exc: admin.RegistryAdminError) -> tuple[str, int]:
    """A refused change: the same page again with the message and what was typed; unknown entries are 404."""
    retry: Callable[[admin.RegistryAdminError], str] | None = g.get("retry")
    if retry is not None and not isinstance(exc, admin.UnknownEntry):
        return retry(exc), 400
    status = 404 if isinstance(exc, admin.UnknownEntry) else 400
    return render_template("error.html", status=status, message=exc), status


@bp.get("/registry")
@admin_only
def registry() -> str:
    """Search the registry; the last imports with their counts and errors."""
    return _registry_page()


@bp.post("/registry")
@admin_only
def institution_add() -> Any:
    """Add a staff institution from the page that states it."""
    f = request.form
    g.retry = lambda error: _registry_page(error=error, form=f)
    inst_id = admin.add_institution(get_db(), f.get("name", ""), f.get("kind", ""), f.get("town", ""),
                                    f.get("source", ""), f.get("checked", ""), g.staff.email)
    return redirect(url_for("review.institution", inst_id=inst_id, saved="institution"))


@bp.get("/registry/institution/<inst_id>")
@admin_only
def institution(inst_id: str) -> str:
    """One institution: imported or seeded contacts beside the staff ones, the change history, the forms."""
    return _institution_page(inst_id)


@bp.post("/registry/institution/<inst_id>/contacts")
@admin_only
def contact_add(inst_id: str) -> Any:
    """Add a sourced, dated staff contact."""
    g.retry = lambda error: _institution_page(inst_id, error=error, form=request.form)
    admin.add_contact(get_db(), inst_id, _entry(request.form, request.form.get("kind", "")), g.staff.email)
    return redirect(url_for("review.institution", inst_id=inst_id, saved="add"))


@bp.post("/registry/contact/<int:contact_id>")
@admin_only
def contact_change(contact_id: int) -> Any:
    """Edit or remove a staff contact (each with a source and a date)."""
    db, f, action = get_db(), request.form, request.form.get("action", "")
    inst_id = admin.contact(db, contact_id)["institution_id"]
    g.retry = lambda error: _institution_page(inst_id, error=error, form=f, editing=contact_id)
    if action == "edit":
        admin.edit_contact(db, contact_id, _entry(f, ""), g.staff.email)
    elif action == "remove":
        admin.remove_contact(db, contact_id, f.get("source", ""), f.get("checked", ""), g.staff.email)
    else:
        abort(400)
    return redirect(url_for("review.institution", inst_id=inst_id, saved=action))


@bp.post("/proposals/<int:proposal_id>")
@admin_only
def proposal_settle(proposal_id: int) -> Any:
    """Accept a proposed contact into the registry, or reject it with a reason."""
    db, f, action = get_db(), request.form, request.form.get("action", "")
    g.retry = lambda error: proposals_page(error=error)
    if action == "accept":
        admin.accept_proposal(db, proposal_id, g.staff.email, f.get("institution_id", ""), f.get("checked", ""))
    elif action == "reject":
        admin.reject_proposal(db, proposal_id, g.staff.email, f.get("reason", ""))
    else:
        abort(400)
    return redirect(url_for("review.proposals", done=action))


def proposals_page(error: object = "") -> str:
    """The pending proposals with their accept / reject forms."""
    rows = campaign_store.proposals(get_db())
    shown = [{**p, "value": present.defang_value(str(p["kind"]), str(p["value"]))} for p in rows]
    return render_template("proposals.html", proposals=shown, error=error, done=request.args.get("done"),
                           today=_today())


def _registry_page(error: object = "", form: Any = None) -> str:
    db, q, origin = get_db(), request.args.get("q", "")[:100], request.args.get("origin", "")
    return render_template("registry.html", rows=admin.search(db, q, origin), q=q, origin=origin,
                           origins=admin.ORIGINS, imports=admin.import_status(db), kinds=admin.INSTITUTION_KINDS,
                           error=error, form=form or {}, today=_today())


def _institution_page(inst_id: str, error: object = "", form: Any = None, editing: int = 0) -> str:
    db = get_db()
    inst = admin.institution(db, inst_id)
    contacts = [{**c, "shown": present.defang_value(str(c["kind"]), str(c["value"]))}
                for c in admin.contacts(db, inst_id)]
    kinds = list(dict.fromkeys([c["kind"] for c in contacts] + list(admin.KINDS)))
    side_by_side = [(k, [c for c in contacts if c["kind"] == k and c["origin"] != "staff"],
                     [c for c in contacts if c["kind"] == k and c["origin"] == "staff"])
                    for k in kinds if any(c["kind"] == k for c in contacts)]
    return render_template("institution.html", inst=inst, rows=side_by_side, kinds=admin.KINDS,
                           history=admin.history(db, inst_id), error=error, form=form or {}, editing=editing,
                           saved=request.args.get("saved"), today=_today(),
                           directory=inst["origin"] in ("finess", "annuaire"))


def _entry(form: Any, kind: str) -> admin.ContactInput:
    return admin.ContactInput(kind=kind, value=form.get("value", ""), source=form.get("source", ""),
                              checked=form.get("checked", ""), note=form.get("note", ""),
                              primary=form.get("primary") == "1")


def _today() -> str:
    return clock.now().date().isoformat()
