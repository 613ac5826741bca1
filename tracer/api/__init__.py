"""The JSON API under /api/v1: bearer tokens, the same services, roles, scopes and audit as the pages."""
