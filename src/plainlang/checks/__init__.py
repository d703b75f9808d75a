"""Checks read catalogs and localized text; they never write."""
