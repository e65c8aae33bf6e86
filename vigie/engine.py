"""Kept for `vigie train` (vigie/train.py), which imports the engine from here: it lives in service/engine.py."""
from service.engine import build_triage, prepare_db

__all__ = ["build_triage", "prepare_db"]
