"""Vigie's composition root: settings, the engine wiring and the `vigie` CLI."""
