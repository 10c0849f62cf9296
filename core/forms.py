from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.exceptions import NotAllowed, ServiceError
from core.models import ChainNode, Membership, Organisation
from core.validators import normalise_uscc


def add_errors(form: forms.Form, exc: ValidationError | ServiceError) -> None:
    """A service's refusal on the form: field errors where the service named a field of the
    form, the rest above the form."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    elif isinstance(exc, ValidationError):
        form.add_error(None, exc.messages)
    else:
        form.add_error(None, exc.message)


@dataclass
class Refusal:
    """What refusal_on_form caught: the service's error, None while nothing was refused."""

    error: ValidationError | ServiceError | None = None


@contextmanager
def refusal_on_form(form: forms.Form):
    """Inside the block, a service's refusal (ServiceError or ValidationError) goes on the form
    as add_errors puts it and the rest of the block is skipped; NotAllowed still goes up, to
    become the 403 page. `with refusal_on_form(form) as refusal:` keeps the error."""
    refusal = Refusal()
    try:
        yield refusal
    except NotAllowed:
        raise
    except (ServiceError, ValidationError) as exc:
        add_errors(form, exc)
        refusal.error = exc


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码错误。"),
        "inactive": _("该账号已停用，请联系管理员。"),
    }

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            blocked_until = getattr(self.request, "login_address_blocked_until", None)
            if blocked_until is not None:
                raise forms.ValidationError(
                    _("此网络地址登录失败次数过多，请于 %(time)s 之后再试。"),
                    code="address_blocked",
                    params={"time": timezone.localtime(blocked_until).strftime("%H:%M")},
                ) from None
            locked_until = getattr(self.request, "login_locked_until", None)
            if locked_until is not None:
                raise forms.ValidationError(
                    _("登录失败次数过多，账号已锁定，请于 %(time)s 之后再试。"),
                    code="locked",
                    params={"time": timezone.localtime(locked_until).strftime("%H:%M")},
                ) from None
            raise


class OrganisationForm(forms.ModelForm):
    chain_nodes = forms.ModelMultipleChoiceField(
        label=_("产业链节点"),
        queryset=ChainNode.objects.select_related("chain"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Organisation
        fields = [
            "name",
            "type",
            "uscc",
            "region",
            "industry",
            "size",
            "chain_nodes",
            "address",
            "contact_phone",
            "introduction",
        ]
        widgets = {"introduction": forms.Textarea(attrs={"rows": 4})}

    def clean_uscc(self):
        return normalise_uscc(self.cleaned_data["uscc"])


class MembershipSwitchForm(forms.Form):
    membership = forms.ModelChoiceField(
        label=_("以哪个身份办理"), queryset=Membership.objects.none()
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership"].queryset = user.memberships.filter(is_active=True).select_related(
            "organisation"
        )
