"""Backups of a whole installation (database and stored files) in one archive, and their restore."""
