"""Serial search: one serial or a batch, exact, partial, look-alike and one-edit matches, within the user's scope."""
