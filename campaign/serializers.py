from rest_framework import serializers

from .models import ActionTask, Campaign, Indicator, KeyDocument, Layer, LectureKind, Milestone


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "code", "name", "due_on", "rule", "description"]


class CampaignSerializer(serializers.ModelSerializer):
    milestones = MilestoneSerializer(many=True, read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "code",
            "name",
            "year",
            "league",
            "document_number",
            "starts_on",
            "ends_on",
            "bulletin_from_month",
            "report_due_day",
            "lock_day",
            "milestones",
        ]


class KeyDocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = KeyDocument
        fields = ["id", "campaign", "code", "number", "title", "theme"]


class LayerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Layer
        fields = ["id", "campaign", "code", "order", "name", "description"]


class LectureKindSerializer(serializers.ModelSerializer):
    class Meta:
        model = LectureKind
        fields = ["id", "campaign", "code", "name", "speaker_rule", "venue", "audience"]


class ActionTaskSerializer(serializers.ModelSerializer):
    area_name = serializers.CharField(source="area.name", read_only=True)

    class Meta:
        model = ActionTask
        fields = ["id", "campaign", "code", "area", "area_name", "name", "description", "applies_to", "parts"]


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = [
            "id",
            "campaign",
            "code",
            "item_code",
            "area",
            "name",
            "unit",
            "value_type",
            "display",
            "reporting_level",
            "applies_to",
            "numerator_label",
            "denominator_label",
            "parts",
            "target_kind",
            "target_params",
        ]
