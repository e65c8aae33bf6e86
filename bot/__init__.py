"""The domain: reports, the decision with its thresholds, and the replies patients receive."""
from bot.report import Report
from bot.triage import Triage
from bot.verdict import Reason, Verdict

__all__ = ["Reason", "Report", "Triage", "Verdict"]
