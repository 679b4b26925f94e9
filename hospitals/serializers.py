from typing import Any

from rest_framework import serializers

from core.api import ModelSerializer
from hospitals.models import ChangeRecord, Department, Hospital, MedicalAlliance, OrgUnit, Person, Post


class OrgUnitSerializer(ModelSerializer):
    class Meta:
        model = OrgUnit
        fields = ["id", "code", "name", "kind", "parent", "commission_name"]


class HospitalSerializer(ModelSerializer):
    banner_name = serializers.CharField(source="banner.name", read_only=True)

    class Meta:
        model = Hospital
        fields = [
            "id",
            "code",
            "name",
            "banner",
            "banner_name",
            "level",
            "type",
            "is_city_tertiary",
            "staff_count",
        ]


class PersonSerializer(ModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "code", "name", "hospital", "org_unit", "title"]


class PostSerializer(ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = Post
        fields = ["id", "person", "person_name", "role", "hospital", "org_unit", "start_on", "end_on"]


class DepartmentSerializer(ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "hospital", "name", "head"]


class MedicalAllianceSerializer(ModelSerializer):
    class Meta:
        model = MedicalAlliance
        fields = ["id", "code", "name", "kind", "assessed_by", "lead_hospital", "members"]


class ChangeRecordSerializer(ModelSerializer):
    """One entry of a record's history (``hospitals.audit.history_of``): every ``…/history/`` action."""

    actor: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    action_label = serializers.CharField(read_only=True, help_text="操作的中文名称")
    actor_name = serializers.CharField(read_only=True, help_text="操作人姓名（无操作人时为“系统”）")

    class Meta:
        model = ChangeRecord
        fields = ["at", "action", "action_label", "actor", "actor_name", "channel", "changes", "reason"]
        read_only_fields = fields
