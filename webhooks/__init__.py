"""Channel adapters (Twilio, Telegram, e-mail), the public API and the "try it" page."""
