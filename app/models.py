"""Import every domain's models so ``Base.metadata`` knows all tables (Alembic, tests)."""

from app.bank import models as bank_models
from app.srs import models as srs_models
from app.users import models as user_models

__all__ = ["bank_models", "srs_models", "user_models"]
