"""The desk's one route for pictures: a case's picture, to signed-in staff only, never cached, always a PNG."""
from __future__ import annotations

import json

from flask import Response, abort, g

from review.web import bp
from service import picture
from store import audit, case_pictures
from web.resources import get_db, get_intake


@bp.get("/case/<int:case_id>/picture/<int:n>")
def case_picture(case_id: int, n: int) -> Response:
    """Picture `n` of a case, re-encoded as PNG; its personal data are unmasked, so each view is journaled."""
    png = picture.for_staff(get_db(), get_intake().keys, case_id, n)
    if png is None:
        abort(404)
    audit.record(get_db(), g.staff.email, "reveal", json.dumps({"case": case_id, "picture": n}))
    return Response(png, mimetype="image/png", headers={
        "Cache-Control": "no-store", "Content-Disposition": f'inline; filename="cas-{case_id}-{n + 1}.png"'})


@bp.app_template_global("case_pictures")
def numbers(case_id: int) -> list[int]:
    """The numbers of a case's pictures, for review/templates/_picture.html."""
    return case_pictures.numbers(get_db(), case_id)
