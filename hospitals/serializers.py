from typing import Any

from rest_framework import serializers

from core.api import ModelSerializer
from core.records import refuse_owner_change
from hospitals import people
from hospitals.models import ChangeRecord, Department, Hospital, MedicalAlliance, OrgUnit, Person, Post

API = ChangeRecord.Channel.API


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
    """A person of a hospital (or of a commission). Writes go through ``hospitals.people``: the code is
    generated when left empty; the person's organisation and code stay once created."""

    code = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        help_text="人员编码；新建时留空则自动生成（如 H004-P10）",
    )

    # A plain string: the service checks the address and refuses it in Chinese, on the field.
    email = serializers.CharField(max_length=254, required=False, allow_blank=True, help_text="电子邮箱")

    class Meta:
        model = Person
        fields = ["id", "code", "name", "hospital", "org_unit", "title", "email", "phone"]

    def _person_data(self, validated: dict[str, Any], instance: Person | None = None) -> people.PersonData:
        def value(name: str) -> str:
            return str(validated.get(name, getattr(instance, name, "") if instance is not None else ""))

        return people.PersonData(
            name=value("name"), title=value("title"), email=value("email"), phone=value("phone")
        )

    def create(self, validated_data: dict[str, Any]) -> Person:
        return people.person_create(
            actor=self.context["request"].user,
            channel=API,
            data=self._person_data(validated_data),
            hospital=validated_data.get("hospital"),
            org_unit=validated_data.get("org_unit"),
            code=validated_data.get("code", ""),
        )

    def update(self, instance: Person, validated_data: dict[str, Any]) -> Person:
        people.people_manager_check(
            self.context["request"].user, hospital=instance.hospital, org_unit=instance.org_unit
        )
        owner: dict[str, Any] = {
            k: validated_data[k] for k in ("hospital", "org_unit") if k in validated_data
        }
        if validated_data.get("code"):
            owner["code"] = validated_data["code"]
        refuse_owner_change(instance, owner, what="人员")
        return people.person_update(
            actor=self.context["request"].user,
            channel=API,
            person=instance,
            data=self._person_data(validated_data, instance),
        )


class PostSerializer(ModelSerializer):
    """A leader post with dates. A new holder is a new post; an existing post changes only its dates
    (most often ``end_on``, when the holder leaves)."""

    person_name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = Post
        fields = ["id", "person", "person_name", "role", "hospital", "org_unit", "start_on", "end_on"]
        extra_kwargs = {"end_on": {"required": False}}
        validators: list[Any] = []  # the model's check constraints are the service's refusals

    def create(self, validated_data: dict[str, Any]) -> Post:
        return people.post_create(
            actor=self.context["request"].user,
            channel=API,
            person=validated_data["person"],
            role=validated_data["role"],
            start_on=validated_data["start_on"],
            end_on=validated_data.get("end_on"),
            hospital=validated_data.get("hospital"),
            org_unit=validated_data.get("org_unit"),
        )

    def update(self, instance: Post, validated_data: dict[str, Any]) -> Post:
        people.people_manager_check(
            self.context["request"].user, hospital=instance.hospital, org_unit=instance.org_unit
        )
        owner: dict[str, Any] = {
            k: validated_data[k] for k in ("person", "role", "hospital", "org_unit") if k in validated_data
        }
        refuse_owner_change(instance, owner, what="职务")
        return people.post_update(
            actor=self.context["request"].user,
            channel=API,
            post=instance,
            start_on=validated_data.get("start_on", instance.start_on),
            end_on=validated_data.get("end_on", instance.end_on),
        )


class DepartmentSerializer(ModelSerializer):
    head_name = serializers.CharField(source="head.name", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Department
        fields = ["id", "hospital", "name", "head", "head_name"]
        validators: list[Any] = []  # the name's uniqueness per hospital is the service's refusal

    def create(self, validated_data: dict[str, Any]) -> Department:
        return people.department_create(
            actor=self.context["request"].user,
            channel=API,
            hospital=validated_data["hospital"],
            name=validated_data["name"],
            head=validated_data.get("head"),
        )

    def update(self, instance: Department, validated_data: dict[str, Any]) -> Department:
        people.people_manager_check(self.context["request"].user, hospital=instance.hospital)
        if "hospital" in validated_data:
            refuse_owner_change(instance, {"hospital": validated_data["hospital"]}, what="科室")
        return people.department_update(
            actor=self.context["request"].user,
            channel=API,
            department=instance,
            name=validated_data.get("name", instance.name),
            head=validated_data.get("head", instance.head),
        )


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
