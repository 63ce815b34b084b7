"""The explain engine's pure core: calculators registered by name."""

from app.explain.engine import registry
from app.explain.engine.conv import ConvOutputSize

registry.register(ConvOutputSize())

__all__ = ["registry"]
