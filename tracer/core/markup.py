"""Text escaped for HTML as ``markupsafe.escape`` escapes it, for the few places that write many
small pieces of markup in Python (select options, the rows of the busiest lists).

``markupsafe.escape`` builds a ``Markup`` for every piece it escapes; here plain text is escaped
by one ``str.translate`` into the same entities, and the caller wraps the whole result in one
``Markup``."""
from __future__ import annotations

from typing import Any

# markupsafe's entities.
ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "'": "&#39;", '"': "&#34;"})


def escaped(value: Any) -> str:
    """``str(markupsafe.escape(value))``: markup (anything with ``__html__``) kept as it is,
    anything else written as text with ``&<>'"`` as entities."""
    if value.__class__ is str:
        return value.translate(ENTITIES)
    if hasattr(value, "__html__"):
        return value.__html__()
    return str(value).translate(ENTITIES)
