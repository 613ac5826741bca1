"""Shared building blocks: model mixins, domain errors, access rules, text checks."""
