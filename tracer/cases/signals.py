"""What the cases room announces, for the rooms built on it (reports, people, networks) to act on.

Receivers connect at start-up; they run inside the caller's transaction.
"""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Sent (sender: the acting user; ``case``, ``action``, ``from_status``, ``to_status``,
# ``comment``) after a case moves between statuses, before the transaction commits. The
# reports room freezes a report version when ``action`` is ``approve``.
case_transitioned = _signals.signal("case-transitioned")
