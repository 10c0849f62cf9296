from django.db import models
from django.utils.functional import cached_property

from core.validators import validate_uscc


class USCCField(models.CharField):
    """统一社会信用代码. Length is checked by `validate_uscc` alone, so a form, the API and the
    admin all give one and the same message for any wrong code."""

    def __init__(self, *args, **kwargs):
        kwargs["max_length"] = 18
        super().__init__(*args, **kwargs)

    @cached_property
    def validators(self):
        return [validate_uscc]

    def formfield(self, **kwargs):
        return super().formfield(**{"max_length": None, **kwargs})
