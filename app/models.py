"""Import every domain's models so ``Base.metadata`` knows all tables (Alembic, tests)."""

from app.bank import models as bank_models

__all__ = ["bank_models"]
