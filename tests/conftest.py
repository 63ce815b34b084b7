"""Shared test configuration."""

from __future__ import annotations

from hypothesis import settings

# Derandomized: CI must be repeatable; deadline off because the machines are shared and noisy.
settings.register_profile("deepprep", derandomize=True, deadline=None, print_blob=True)
settings.load_profile("deepprep")
