"""The whole picture: the dashboard (server-rendered SVG) and the export of confirmed indicators (CSV, STIX 2.1)."""
from __future__ import annotations

import json
from typing import Any

from flask import Response, g, render_template, request
from markupsafe import Markup

from review import formats, present, svgcharts
from review.formats import gettext as _
from review.web import bp
from store import audit, clock, exports, stats
from web.resources import get_db

PERIODS = (7, 30, 90)
DEFAULT_DAYS = 30


def charts(d: stats.Dashboard) -> dict[str, Markup]:
    """The dashboard's SVG charts (labels escaped by svgcharts; indicator values defanged first)."""
    def shown(kind: str, items: tuple[tuple[str, int], ...]) -> tuple[tuple[str, int], ...]:
        return tuple((present.defang_value("url" if "://" in v else kind, v), n) for v, n in items)

    return {key: Markup(svg) for key, svg in {
        "by_verdict": svgcharts.stacked_days(_("Signalements par jour, par verdict de la machine"), d.days,
                                             d.by_verdict, "chart-verdict", _words(d.by_verdict, "verdict")),
        "by_channel": svgcharts.stacked_days(_("Signalements par jour, par canal"), d.days, d.by_channel,
                                             "chart-channel", _words(d.by_channel, "channel")),
        "institutions": svgcharts.hbars(_("Établissements les plus usurpés (signalements arnaque ou suspects)"),
                                        d.institutions, "chart-institutions", "suspicious"),
        "domains": svgcharts.hbars(_("Domaines et liens malveillants confirmés (signalements de leur campagne)"),
                                   shown("domain", d.domains), "chart-domains"),
        "phones": svgcharts.hbars(_("Numéros malveillants confirmés"), shown("phone", d.phones), "chart-phones"),
        "senders": svgcharts.hbars(_("Expéditeurs malveillants confirmés"), shown("sender", d.senders),
                                   "chart-senders"),
        "overturned": svgcharts.share_trend(_("Part des verdicts de la machine changés par l'équipe, par semaine "
                                              "(nombre de décisions)"), d.overturned_weekly, "chart-overturned"),
    }.items()}


def _words(series: dict[str, Any], section: str) -> dict[str, str]:
    return {name: formats.word(name, section) for name in series}


@bp.get("/dashboard")
def dashboard() -> str:
    """Reports per day, most impersonated institutions, top indicators, time to decision, machine error rate."""
    days = request.args.get("days", DEFAULT_DAYS, type=int)
    days = days if days in PERIODS else DEFAULT_DAYS
    d = stats.dashboard(get_db(), days, clock.now())
    return render_template("dashboard.html", d=d, charts=charts(d), days=days, periods=PERIODS)


@bp.get("/export/indicators.csv")
def export_csv() -> Response:
    """Confirmed malicious indicators as CSV (no message text, no reporter, no patient data)."""
    return _export("csv", exports.csv_chunks, "text/csv")


@bp.get("/export/indicators.stix.json")
def export_stix() -> Response:
    """Confirmed malicious indicators as a STIX 2.1 bundle."""
    return _export("stix.json", exports.stix_chunks, "application/json")


def _export(suffix: str, chunks: Any, mimetype: str) -> Response:
    """Streamed as it is read (a cursor walking the indicators index): memory does not grow with the export."""
    db = get_db()
    audit.record(db, g.staff.email, "export_indicators",
                 json.dumps({"format": suffix, "indicators": exports.count_confirmed(db)}))
    name = f"vigie-indicateurs-{clock.iso(clock.now())[:10]}.{suffix}"
    # The generator needs only this thread's connection, not the request: it runs after the view has returned.
    body = chunks(exports.iter_confirmed(db))
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})
