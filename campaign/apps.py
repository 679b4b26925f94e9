from django.apps import AppConfig


class CampaignConfig(AppConfig):
    name = "campaign"
    verbose_name = "讲见效活动"

    def ready(self) -> None:
        # The lecture ledger and the action tracker register themselves with the export registry.
        from campaign import models as m
        from campaign import workbooks  # noqa: F401
        from campaign.services import lectures_keep_speaker_posts
        from core.versions import watch
        from hospitals.people import POST_CHANGE_CHECKS

        # A post's new dates may not strand a lecture its holder gave in it (hospitals.people).
        if lectures_keep_speaker_posts not in POST_CHANGE_CHECKS:
            POST_CHANGE_CHECKS.append(lectures_keep_speaker_posts)
        # Read by cached results (core.versions): the indicator figures and verdicts, the lecture counts,
        # the dashboard's milestones, the lectures API's pages (coverage, layers and materials), a report
        # page's contents (the month's action progress).
        watch(
            m.Campaign, m.Indicator, m.LectureKind, m.LectureSession, m.KeyDocument, m.Milestone,
            m.LaunchRecord, m.LecturePlan, m.LecturePlanItem, m.TourLecturer, m.Layer, m.LectureCoverage,
            m.LectureMaterial, m.ActionTask, m.ActionItem, m.ProgressEntry,
        )  # fmt: skip
