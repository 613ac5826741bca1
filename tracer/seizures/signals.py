"""What the seizures room announces, for the rooms built on it (links) to act on.

Receivers connect at start-up and may answer: ``send`` returns (receiver, answer) pairs.
"""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Sent (sender: the user; ``firearms``: those just recorded with a seizure) before the
# transaction commits. Each receiver answers warnings for the form: {field key: [texts]}.
seizure_recorded = _signals.signal("seizure-recorded")

# Sent (sender: the importing user or None; ``firearm_ids``, ``events``: the batch's audit
# events) after each batch of an import is written. Each receiver answers (links found,
# matches outside the user's scope to tell at the end).
seizure_batch_written = _signals.signal("seizure-batch-written")

# Sent (sender: the importing user or None; ``hidden``: every batch's matches outside the
# user's scope) when an import is written. Each receiver answers (lines for the report,
# the budget message or None).
seizure_import_written = _signals.signal("seizure-import-written")
