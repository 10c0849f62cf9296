from integrity.models.records import IntegrityRecord

__all__ = ["IntegrityRecord"]
