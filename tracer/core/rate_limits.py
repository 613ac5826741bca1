"""Whose allowance a request spends: an account's, or an address's when nobody is signed in.

Behind a government NAT or a proxy (``TRACER_PROXY_HOPS``) a whole office shares one
address, so counting by address would let one busy user, or one hostile one, use up
everybody's allowance. Limits therefore count per account wherever the request names
one, and per address only for requests that name none.
"""
from __future__ import annotations

from flask_login import current_user

from tracer.core.security import client_address


def address_key() -> str:
    return "address:" + client_address()


def account_key(user_id) -> str:
    return f"user:{user_id}"


def account_or_address_key() -> str:
    """The signed-in user (session or API token), else the address."""
    if getattr(current_user, "is_authenticated", False):
        return account_key(current_user.get_id())
    return address_key()
