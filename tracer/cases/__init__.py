"""Cases (expedientes): the investigation file, its workflow, review and approval."""
