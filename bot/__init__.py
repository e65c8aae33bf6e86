"""The domain: reports, the decision with its thresholds, and the replies patients receive.

Import the modules themselves (`bot.report`, `bot.triage`, ...): importing `bot` loads nothing, so a
process that only needs a report or a reply (the outbox worker) does not load the models."""
