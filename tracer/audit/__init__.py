"""The audit trail: append-only, hash-chained events written with each change."""
