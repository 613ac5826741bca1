"""Deconfliction: what the system tells a user about another agency's record (SPEC §2).

Every channel that may reveal a matching record outside the reader's scope — the
serial search, a warning after recording or editing a firearm, the links between
firearms, an import, a ballistic lead — asks ``services.disclose``. It alone decides
what may be said (that a match exists, its kind, the owning agency and its contact,
and a deconfliction reference both sides quote), counts the user's disclosure budget,
audits the disclosure and leaves a notice for the owning agency.
"""
