"""Ballistic evidence: items, class characteristics and links between them."""
