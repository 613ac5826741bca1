"""People in cases: possessors, associates and purchasers (personal data), their likely duplicates and merges."""
