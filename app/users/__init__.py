"""Accounts, guests, browser sessions, API tokens, roles and per-user settings."""
