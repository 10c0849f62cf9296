from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Lookup
from django.utils.text import capfirst


class ChoiceListField(models.JSONField):
    """A list of choice values stored as JSON, e.g. ["apply", "review"].

    Each item is checked against `choices`; forms show one checkbox per choice. The lookup
    `field__includes=value` selects rows whose list holds `value`, on SQLite and PostgreSQL
    alike (JSONField's own `contains` is not available on SQLite).
    """

    def validate(self, value, model_instance):
        # Field.validate would look the whole list up among the choices.
        if not isinstance(value, list):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        allowed = {str(key) for key, _label in self.flatchoices}
        for item in value:
            if item not in allowed:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": item},
                )
        if not value and not self.blank:
            raise ValidationError(self.error_messages["blank"], code="blank")

    def formfield(self, **kwargs):
        defaults = {
            "required": not self.blank,
            "label": capfirst(self.verbose_name),
            "help_text": self.help_text,
            "choices": self.choices,
            "widget": forms.CheckboxSelectMultiple,
            "error_messages": {"required": self.error_messages["blank"]},
        }
        return forms.MultipleChoiceField(**{**defaults, **kwargs})


@ChoiceListField.register_lookup
class Includes(Lookup):
    lookup_name = "includes"
    prepare_rhs = False  # compare with the plain value, not its JSON encoding

    def get_prep_lookup(self):
        return self.rhs if hasattr(self.rhs, "resolve_expression") else str(self.rhs)

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        sql = f"EXISTS (SELECT 1 FROM json_each({lhs}) AS item WHERE item.value = {rhs})"
        return sql, [*lhs_params, *rhs_params]

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} @> jsonb_build_array({rhs}::text)", [*lhs_params, *rhs_params]
