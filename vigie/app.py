"""The app factory, part of the composition root: settings, the intake, the web plumbing, one blueprint
per channel adapter named in the channel table, the desk. Gunicorn builds it with `--preload`."""
from __future__ import annotations

import importlib
import logging
from typing import Mapping

from flask import Flask

import review
import web
from bot.conversation import Checks
from config import channels
from config.settings import Settings
from service import engine
from service.intake import Intake
from service.outbound import Sender
from webhooks.channel import Channel
from webhooks.senders import default_senders

log = logging.getLogger("vigie.app")


def adapters() -> tuple[Channel, ...]:
    """The channel adapters, one per module the channel table names (webhooks/<module>.py's CHANNEL)."""
    return tuple(importlib.import_module(f"webhooks.{name}").CHANNEL for name in channels.adapters())


def create_app(settings: Settings | None = None, *, senders: Mapping[str, Sender] | None = None,
               triage: Checks | None = None) -> Flask:
    """Build the web app; no network call is made here."""
    settings = settings or Settings.from_env()
    intake = build_intake(settings, senders=senders, triage=triage)
    app = Flask(__name__)
    web.init_app(app, settings, intake)
    for adapter in adapters():
        reason = adapter.off_reason(settings)
        if reason:
            log.warning(reason)
        else:
            app.register_blueprint(adapter.blueprint)
    review.init_app(app, settings)
    return app


def build_intake(settings: Settings, *, senders: Mapping[str, Sender] | None = None,
                 triage: Checks | None = None) -> Intake:
    """The intake core over a migrated database, with the providers the settings allow unless `senders` is given."""
    return engine.build_intake(settings, default_senders(settings) if senders is None else senders, triage=triage)
