from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core import permissions
from core.masking import mask_phone
from core.models import ChainNode, IndustrySection, Job, Organisation, Region, User
from core.validators import normalise_uscc
from kechuang.api import SlugRelatedField


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name", "kind"]


class ChainNodeSerializer(serializers.ModelSerializer):
    chain = serializers.CharField(source="chain.name", read_only=True)

    class Meta:
        model = ChainNode
        fields = ["code", "name", "chain"]


class OrganisationSerializer(serializers.ModelSerializer):
    region = SlugRelatedField(slug_field="code", queryset=Region.objects.all())
    industry = SlugRelatedField(
        slug_field="code", queryset=IndustrySection.objects.all(), required=False, allow_null=True
    )
    chain_nodes = SlugRelatedField(
        slug_field="code", queryset=ChainNode.objects.all(), many=True, required=False
    )
    region_name = serializers.CharField(source="region.name", read_only=True)
    type_display = serializers.CharField(source="get_type_display", read_only=True)

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "type",
            "type_display",
            "uscc",
            "region",
            "region_name",
            "industry",
            "size",
            "chain_nodes",
            "address",
            "contact_phone",
            "introduction",
            "is_demo",
        ]
        read_only_fields = ["is_demo"]
        # Uniqueness and format are checked by the service, with the same messages as the forms.
        extra_kwargs = {"uscc": {"validators": [], "max_length": None}}

    def validate_uscc(self, value: str) -> str:
        return normalise_uscc(value)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if not permissions.can(user, "core.view_organisation_contact", instance):
            data["contact_phone"] = mask_phone(instance.contact_phone)
        return data


class MeSerializer(serializers.ModelSerializer):
    role = serializers.CharField(read_only=True)
    organisation = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["username", "display_name", "email", "phone", "role", "organisation"]

    def get_organisation(self, user) -> str | None:
        m = user.current_membership
        return m.organisation.name if m else None


class JobSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "title",
            "status",
            "status_display",
            "done",
            "total",
            "percent",
            "message",
            "result",
            "created_at",
            "finished_at",
        ]


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("用户名"))
    password = serializers.CharField(label=_("密码"), style={"input_type": "password"})
