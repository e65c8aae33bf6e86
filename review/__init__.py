"""The staff desk (a Flask blueprint): login, queue, case, decide, campaigns, registry."""
