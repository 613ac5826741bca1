"""Seized firearms: identity, serial numbers, reference makers and calibers, custody chain."""
