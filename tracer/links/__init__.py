"""Links between records: two recoveries that may be the same firearm, detected, listed and decided."""
