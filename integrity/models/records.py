"""科研失信记录: a finding of dishonest conduct in research, on an organisation or a person, and
the activities it bars them from for a time."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.validators import normalise_id_number, validate_id_number
from integrity.choices import Activity, RecordState, Severity, SubjectKind
from integrity.models.fields import ChoiceListField
from integrity.validators import validate_decision_document


class IntegrityRecordQuerySet(models.QuerySet):
    def in_force(self, on_date: datetime.date) -> IntegrityRecordQuerySet:
        """Records restricting their subject on that day: started, not ended, not revoked."""
        return self.filter(
            Q(restricted_until__isnull=True) | Q(restricted_until__gte=on_date),
            restricted_from__lte=on_date,
            revoked_at__isnull=True,
        )

    def barring(self, activity: str) -> IntegrityRecordQuerySet:
        return self.filter(activities__includes=activity)


class IntegrityRecord(models.Model):
    subject_kind = models.CharField(_("失信主体类型"), max_length=12, choices=SubjectKind.choices)
    organisation = models.ForeignKey(
        "core.Organisation",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="integrity_records",
        verbose_name=_("失信单位"),
    )
    person_name = models.CharField(_("失信人员姓名"), max_length=50, blank=True)
    person_id_number = models.CharField(
        _("公民身份号码"),
        max_length=18,
        blank=True,
        db_index=True,
        validators=[validate_id_number],
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="integrity_records",
        verbose_name=_("关联平台账号"),
        help_text=_("失信人员在平台上的账号（如有）"),
    )
    finding = models.TextField(_("认定的失信行为"))
    severity = models.CharField(_("严重程度"), max_length=10, choices=Severity.choices)
    decision_number = models.CharField(_("处理决定文号"), max_length=100, db_index=True)
    decision_date = models.DateField(_("处理决定日期"))
    issued_by = models.CharField(_("作出处理决定的单位"), max_length=120)
    decision_document = models.FileField(
        _("处理决定书"),
        upload_to="integrity/decisions/%Y/",
        blank=True,
        validators=[validate_decision_document],
        help_text=_("PDF 文件，不超过 10MB"),
    )
    restricted_from = models.DateField(_("限制开始日期"))
    restricted_until = models.DateField(
        _("限制截止日期"), null=True, blank=True, help_text=_("留空表示长期限制")
    )
    activities = ChoiceListField(
        _("限制的活动"),
        choices=Activity.choices,
        default=list,
        error_messages={
            "blank": _("请至少选择一项限制的活动。"),
            "invalid_choice": _("“%(value)s”不是可限制的活动。"),
        },
    )
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("撤销人"),
    )
    revoke_reason = models.CharField(_("撤销原因"), max_length=500, blank=True)
    is_demo = models.BooleanField(_("示例数据"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = IntegrityRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-decision_date", "-id"]
        verbose_name = _("科研失信记录")
        verbose_name_plural = _("科研失信记录")
        constraints = [
            models.CheckConstraint(
                condition=Q(subject_kind=SubjectKind.ORGANISATION, organisation__isnull=False)
                | (~Q(subject_kind=SubjectKind.ORGANISATION) & Q(organisation__isnull=True)),
                name="integrity_organisation_iff_organisation_kind",
                violation_error_message=_("单位记录必须且只能填写失信单位。"),
            ),
            models.CheckConstraint(
                condition=(
                    Q(subject_kind=SubjectKind.PERSON)
                    & ~Q(person_name="")
                    & ~Q(person_id_number="")
                )
                | (
                    ~Q(subject_kind=SubjectKind.PERSON) & Q(person_name="") & Q(person_id_number="")
                ),
                name="integrity_person_iff_person_kind",
                violation_error_message=_("个人记录必须且只能填写失信人员的姓名和公民身份号码。"),
            ),
            models.CheckConstraint(
                condition=Q(restricted_until__isnull=True)
                | Q(restricted_until__gte=F("restricted_from")),
                name="integrity_restriction_ends_after_it_starts",
                violation_error_message=_("限制截止日期不能早于开始日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_name}（{self.decision_number}）"

    @property
    def subject_name(self) -> str:
        if self.subject_kind == SubjectKind.ORGANISATION:
            return self.organisation.name if self.organisation_id else ""
        return self.person_name

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def state_on(self, day: datetime.date) -> RecordState:
        if self.is_revoked:
            return RecordState.REVOKED
        if self.restricted_from > day:
            return RecordState.PENDING
        if self.restricted_until is not None and self.restricted_until < day:
            return RecordState.EXPIRED
        return RecordState.IN_FORCE

    def activity_labels(self) -> list[str]:
        labels = dict(Activity.choices)
        return [str(labels.get(a, a)) for a in self.activities]

    def get_activities_display(self) -> str:
        return "、".join(self.activity_labels())

    def clean_fields(self, exclude=None):
        # Normalise before validation so that the check character is read as stored.
        self.person_id_number = normalise_id_number(self.person_id_number)
        self.person_name = (self.person_name or "").strip()
        super().clean_fields(exclude)

    def clean(self):
        # The kind decides which subject fields count; the others are cleared, so a form that
        # shows both groups cannot leave a stray value behind.
        errors = {}
        if self.subject_kind == SubjectKind.ORGANISATION:
            self.person_name, self.person_id_number, self.user = "", "", None
            if self.organisation_id is None:
                errors["organisation"] = _("单位记录须填写失信单位。")
        elif self.subject_kind == SubjectKind.PERSON:
            self.organisation = None
            if not self.person_name:
                errors["person_name"] = _("个人记录须填写失信人员姓名。")
            if not self.person_id_number:
                errors["person_id_number"] = _("个人记录须填写公民身份号码。")
            elif (
                self.user is not None
                and self.user.id_number
                and normalise_id_number(self.user.id_number) != self.person_id_number
            ):
                errors["user"] = _("所关联账号登记的身份证号与本记录的公民身份号码不一致。")
        if isinstance(self.activities, list):
            chosen = set(self.activities)
            known = [a for a in Activity.values if a in chosen]
            if len(known) == len(chosen):
                self.activities = known  # stored in the order of Activity
        if (
            self.restricted_from is not None
            and self.restricted_until is not None
            and self.restricted_until < self.restricted_from
        ):
            errors["restricted_until"] = _("限制截止日期不能早于开始日期。")
        if errors:
            raise ValidationError(errors)
