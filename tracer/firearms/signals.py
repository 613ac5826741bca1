"""What the firearms room announces, for the rooms built on it (links, tracing) to act on.

Receivers connect at start-up; a room that is not installed simply does not listen.
"""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Sent (sender: the firearm; ``actor``: the user) after a firearm's identity — maker, model,
# caliber, serial — is saved changed, in the transaction that saved it.
firearm_identity_saved = _signals.signal("firearm-identity-saved")

# Sent (sender: the list of column values) before firearm rows are inserted in bulk: Core
# inserts skip the ORM's hooks, so receivers fill in the columns they keep, row by row.
firearm_rows_inserting = _signals.signal("firearm-rows-inserting")
