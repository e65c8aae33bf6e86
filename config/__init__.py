"""The bottom of the house: settings read from the environment and the channel table (imports nothing of Vigie)."""
