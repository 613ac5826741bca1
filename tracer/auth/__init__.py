"""People and agencies: accounts, sign-in, second factor, sessions and API tokens."""
