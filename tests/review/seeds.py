"""Factory: a known week of reports, campaigns, decisions and confirmed indicators, with the counts the dashboard
must show. Rows are written straight into the real schema so the expected figures are exact (the engine's own
verdicts are tested elsewhere); the texts carry a patient's data and the cases reporter pseudonyms, so that the
exports can be checked against them."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlite_utils import Database

from store import clock

PATIENT_NAME, PATIENT_BIRTH, PATIENT_STREET = "Jeanne Martin", "03/04/1956", "12 rue des Lilas"
PATIENT_TEXT = (f"Bonjour Mme {PATIENT_NAME}, née le {PATIENT_BIRTH}, {PATIENT_STREET} 90000 Belfort : "
                "réglez vos frais sur https://assures-amell.fr ou au 06 12 34 56 78.")
AMELI, CH = "Assurance Maladie (ameli)", "Centre Hospitalier de Démo"
# (channel, machine verdict, hours ago, campaign, institution claimed)
CASES = (("sms", "scam", 50, 1, AMELI), ("sms", "scam", 26, 1, AMELI), ("whatsapp", "suspicious", 2, 1, AMELI),
         ("telegram", "scam", 5, 3, CH), ("email", "unknown", 30, 2, None), ("sms", "legitimate", 29, 2, None))


@dataclass(frozen=True)
class Seeded:
    """What was written and what the dashboard must show for it."""

    total: int = 6
    by_verdict: dict[str, int] = field(default_factory=lambda: {"scam": 3, "suspicious": 1, "unknown": 1,
                                                                "legitimate": 1})
    by_channel: dict[str, int] = field(default_factory=lambda: {"sms": 3, "whatsapp": 1, "telegram": 1, "email": 1})
    institutions: tuple[tuple[str, int], ...] = ((AMELI, 3), (CH, 1))
    domain: tuple[str, str, int] = ("assures-amell.fr", "assures-amell[.]fr", 3)  # value, as shown, reports
    phone: tuple[str, int] = ("+33612345678", 3)
    sender: tuple[str, int] = ("AMELI-INFO", 1)
    median_hours: str = "2,0 h"  # decisions 4 h, 2 h and 1 h after each campaign's first report
    overturned: str = "33 %"  # one decision of three changed the machine's verdict
    pseudonyms: tuple[str, ...] = tuple(f"pseudo-seed-{i}" for i in range(len(CASES)))


def seed_dashboard(db: Database, now: datetime | None = None) -> Seeded:
    """Write the seeded week (relative to `now`) and return the figures it must produce."""
    now = now or clock.now()
    at = lambda hours: clock.iso(now - timedelta(hours=hours))  # noqa: E731
    seeded = Seeded()
    db["campaigns"].insert_all([
        {"id": 1, "created_at": at(50), "updated_at": at(2), "cases": 3, "reporters": 3, "first_at": at(50),
         "last_at": at(2), "verdict": "scam", "decided_at": at(46), "institution_name": AMELI},
        {"id": 2, "created_at": at(30), "updated_at": at(28), "cases": 2, "reporters": 2, "first_at": at(30),
         "last_at": at(29), "verdict": "legitimate", "decided_at": at(28)},
        {"id": 3, "created_at": at(5), "updated_at": at(4), "cases": 1, "reporters": 1, "first_at": at(5),
         "last_at": at(5), "verdict": "scam", "decided_at": at(4), "institution_name": CH},
    ])
    db["cases"].insert_all([
        {"channel": ch, "provider_message_id": f"seed-{i}", "reporter": seeded.pseudonyms[i], "received_at": at(h),
         "text": PATIENT_TEXT, "verdict": v, "status": "answered", "campaign_id": camp, "institution_name": inst}
        for i, (ch, v, h, camp, inst) in enumerate(CASES)])
    db["decisions"].insert_all([
        {"campaign_id": 1, "verdict": "scam", "previous": "suspicious", "note": "faux site", "actor": "rev@x",
         "decided_at": at(46)},
        {"campaign_id": 2, "verdict": "legitimate", "previous": "legitimate", "note": "vrai", "actor": "rev@x",
         "decided_at": at(28)},
        {"campaign_id": 3, "verdict": "scam", "previous": "scam", "note": "faux CH", "actor": "rev@x",
         "decided_at": at(4)},
    ])
    db["indicators"].insert_all([
        {"kind": "domain", "value": seeded.domain[0], "verdict": "scam", "decided_at": at(46), "campaign_id": "1"},
        {"kind": "phone", "value": seeded.phone[0], "verdict": "scam", "decided_at": at(46), "campaign_id": "1"},
        {"kind": "sender", "value": seeded.sender[0], "verdict": "scam", "decided_at": at(4), "campaign_id": "3"},
        {"kind": "domain", "value": "ameli.fr", "verdict": "legitimate", "decided_at": at(28), "campaign_id": "2"},
    ])
    return seeded
