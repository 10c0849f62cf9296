"""The record form, used by the pages, the import (row by row) and the admin alike."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.models import Organisation, User
from core.validators import normalise_uscc, validate_uscc
from integrity.models import IntegrityRecord
from integrity.services.records import EDITABLE_FIELDS


class OrganisationCodeField(forms.CharField):
    """An organisation entered by its 统一社会信用代码: no list of every organisation to scroll."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, int):
            value = Organisation.objects.filter(pk=value).first()
        if isinstance(value, Organisation):
            return value.uscc
        return value

    def clean(self, value):
        code = normalise_uscc(super().clean(value))
        if not code:
            return None
        validate_uscc(code)
        organisation = Organisation.objects.filter(uscc=code).first()
        if organisation is None:
            raise forms.ValidationError(
                _("平台中没有统一社会信用代码为 %(code)s 的单位，请先登记该单位。"),
                code="unknown_organisation",
                params={"code": code},
            )
        return organisation


class AccountField(forms.CharField):
    """A platform account entered by its username."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, int):
            value = User.objects.filter(pk=value).first()
        if isinstance(value, User):
            return value.username
        return value

    def clean(self, value):
        username = (super().clean(value) or "").strip()
        if not username:
            return None
        user = User.objects.filter(username=username).first()
        if user is None:
            raise forms.ValidationError(
                _("平台中没有用户名为“%(name)s”的账号。"),
                code="unknown_account",
                params={"name": username},
            )
        return user


def _date_input():
    # <input type="date"> takes ISO dates whatever the page's language.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class IntegrityRecordForm(forms.ModelForm):
    organisation = OrganisationCodeField(
        label=_("失信单位统一社会信用代码"), help_text=_("失信主体为单位时填写")
    )
    user = AccountField(
        label=_("关联平台账号（用户名）"), help_text=_("失信主体为个人且在平台上有账号时填写")
    )

    class Meta:
        model = IntegrityRecord
        fields = list(EDITABLE_FIELDS)
        widgets = {
            "finding": forms.Textarea(attrs={"rows": 4}),
            "decision_date": _date_input(),
            "restricted_from": _date_input(),
            "restricted_until": _date_input(),
        }
        help_texts = {
            "person_name": _("失信主体为个人时填写"),
            "person_id_number": _("18位，失信主体为个人时填写"),
        }


class IntegrityImportForm(IntegrityRecordForm):
    """One row of an import: everything but the decision document, which is uploaded per record."""

    class Meta(IntegrityRecordForm.Meta):
        fields = [f for f in EDITABLE_FIELDS if f != "decision_document"]


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("撤销原因"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("如：处理决定已被依法撤销、登记有误"),
    )
