"""Import every domain's models so ``Base.metadata`` knows all tables (Alembic, tests)."""

from app.admin import models as admin_models
from app.bank import models as bank_models
from app.quiz import models as quiz_models
from app.srs import models as srs_models
from app.users import models as user_models
from app.users import ratelimit as ratelimit_models

__all__ = ["admin_models", "bank_models", "quiz_models", "ratelimit_models", "srs_models", "user_models"]
