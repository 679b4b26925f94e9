from django.contrib import admin

from .models import ActionArea, ActionTask, Campaign, Indicator, KeyDocument, Layer, LectureKind, Milestone


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "year", "league", "starts_on", "ends_on", "report_due_day", "lock_day"]
    list_filter = ["year", "league"]
    search_fields = ["name", "code"]
    inlines = [MilestoneInline]


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ["name", "campaign", "due_on", "rule"]
    list_filter = ["campaign", "rule"]
    search_fields = ["name", "code"]


@admin.register(KeyDocument)
class KeyDocumentAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "theme", "campaign"]
    list_filter = ["campaign"]
    search_fields = ["title"]


@admin.register(Layer)
class LayerAdmin(admin.ModelAdmin):
    list_display = ["order", "name", "description", "campaign"]
    list_filter = ["campaign"]


@admin.register(LectureKind)
class LectureKindAdmin(admin.ModelAdmin):
    list_display = ["name", "speaker_rule", "venue", "campaign"]
    list_filter = ["campaign", "speaker_rule", "venue"]


@admin.register(ActionArea)
class ActionAreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "campaign"]
    list_filter = ["campaign"]


@admin.register(ActionTask)
class ActionTaskAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "area", "applies_to", "campaign"]
    list_filter = ["campaign", "area", "applies_to"]
    search_fields = ["code", "name"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "value_type", "reporting_level", "applies_to", "target_kind", "campaign"]
    list_filter = ["campaign", "value_type", "reporting_level", "applies_to", "target_kind"]
    search_fields = ["code", "name"]
