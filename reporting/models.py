"""The models of every reporting feature, imported so that Django registers them (app label
``reporting``; each feature keeps its own in ``reporting/<feature>/models.py``)."""

from reporting.bulletins.models import Bulletin
from reporting.dispatch.models import DispatchReport, DispatchReportFile, LeagueVisit
from reporting.evaluation.models import AssessmentImport, AssessmentResult, BannerEvaluation, Evaluation
from reporting.indicators.models import IndicatorImport, IndicatorValue
from reporting.notices.models import Notification, SendLog
from reporting.reports.models import MonthlyReport, ReportReview, ReviewComment, UnlockRequest

__all__ = [
    "AssessmentImport",
    "AssessmentResult",
    "BannerEvaluation",
    "Bulletin",
    "DispatchReport",
    "DispatchReportFile",
    "Evaluation",
    "IndicatorImport",
    "IndicatorValue",
    "LeagueVisit",
    "MonthlyReport",
    "Notification",
    "ReportReview",
    "ReviewComment",
    "SendLog",
    "UnlockRequest",
]
