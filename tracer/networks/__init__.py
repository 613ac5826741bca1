"""Link analysis: which cases are linked, by what, and the networks they form."""
