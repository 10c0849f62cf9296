"""What other apps use: `check_integrity` and `require_integrity` (see `gate`)."""

from integrity.services.gate import (
    IntegrityRestricted,
    Person,
    check_integrity,
    require_integrity,
)

__all__ = ["IntegrityRestricted", "Person", "check_integrity", "require_integrity"]
