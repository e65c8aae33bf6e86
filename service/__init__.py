"""The use cases, callable from a Python shell: take in a report, settle a campaign, refresh the engine
from staff changes, purge and forget. Knows neither Flask nor the providers (Twilio, Telegram, SMTP):
channels, the desk, the CLI and the worker call it; it calls `bot/`, `nlp/` and `store/`."""
