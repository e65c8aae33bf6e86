"""The channel table and the settings are the bottom of the house: plain data every layer asks."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from config import channels

ROOT = Path(__file__).resolve().parents[1]


def test_settings_and_channel_table_import_without_flask_twilio_telegram_or_spacy():
    probe = ("import sys, config.settings, config.channels;"
             "print(sorted({'flask', 'twilio', 'telegram', 'spacy', 'sqlite_utils'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_channel_appears_once_in_the_table():
    assert len(channels.NAMES) == len(set(channels.NAMES))


def test_a_channel_vigie_does_not_know_has_no_special_trait():
    row = channels.traits("pigeon")
    assert (row.sms_like, row.segments, row.window_hours, row.follow_up) == (False, None, None, None)


def test_only_sms_replies_count_segments_and_only_whatsapp_has_a_follow_up_window():
    assert [c.name for c in channels.CHANNELS if c.segments] == ["sms"]
    assert [c.name for c in channels.CHANNELS if c.window_hours] == ["whatsapp"]


def test_twilio_sends_follow_ups_on_both_phone_channels():
    assert channels.served_by("twilio") == ("sms", "whatsapp")
