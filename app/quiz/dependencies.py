"""Randomness as a dependency: every pick and presentation seed comes from here."""

from __future__ import annotations

import random
import secrets
from typing import Annotated

from fastapi import Depends, Request


def get_rng(request: Request) -> random.Random:
    """A fresh generator per request; tests set ``app.state.rng_seed`` to make picks repeatable."""
    seed = getattr(request.app.state, "rng_seed", None)
    return random.Random(secrets.randbits(64) if seed is None else seed)


async def _rng(request: Request) -> random.Random:
    return get_rng(request)  # async: no thread-pool trip for a dependency this cheap


RngDep = Annotated[random.Random, Depends(_rng)]
