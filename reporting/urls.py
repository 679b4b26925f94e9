from django.urls import path

from reporting.bulletins import views as bulletins
from reporting.dispatch import views as dispatch
from reporting.evaluation import views as evaluation
from reporting.indicators import views as indicators
from reporting.notices import views as notices
from reporting.region import views as region
from reporting.reports import views as reports

app_name = "reporting"
urlpatterns = [
    path("hospitals/<int:hospital_id>/months/", reports.month_index, name="months"),
    path("hospitals/<int:hospital_id>/months/<str:month>/", reports.month_page, name="month"),
    path(
        "hospitals/<int:hospital_id>/months/<str:month>/template/",
        indicators.month_template,
        name="month_template",
    ),
    path(
        "hospitals/<int:hospital_id>/months/<str:month>/import/", indicators.month_import, name="month_import"
    ),
    path("hospitals/<int:hospital_id>/baseline/", indicators.baseline_page, name="baseline"),
    path(
        "hospitals/<int:hospital_id>/baseline/template/",
        indicators.baseline_template,
        name="baseline_template",
    ),
    path("indicator-imports/<int:import_id>/", indicators.import_detail, name="indicator_import"),
    path("banners/<int:unit_id>/months/", indicators.banner_month_index, name="banner_months"),
    path("banners/<int:unit_id>/months/<str:month>/", indicators.banner_month, name="banner_month"),
    path("reports/<int:report_id>/", reports.report_detail, name="report"),
    path("review/", reports.review_queue, name="queue"),
    path("unlock-requests/", reports.unlock_requests, name="unlocks"),
    path("notifications/", notices.notifications, name="notifications"),
    path("bulletins/", bulletins.bulletin_list, name="bulletins"),
    path("bulletins/<int:bulletin_id>/", bulletins.bulletin_detail, name="bulletin"),
    path("bulletins/<int:bulletin_id>/excel/", bulletins.bulletin_excel, name="bulletin_excel"),
    path("bulletins/<int:bulletin_id>/word/", bulletins.bulletin_word, name="bulletin_word"),
    path("bulletins/<int:bulletin_id>/pdf/", bulletins.bulletin_pdf_file, name="bulletin_pdf"),
    path("evaluation/", evaluation.evaluation_page, name="evaluation"),
    path("dispatch/", dispatch.dispatch_index, name="dispatch"),
    path("dispatch/<int:unit_id>/<str:month>/", dispatch.dispatch_month, name="dispatch_month"),
    path("dispatch/files/<int:file_id>/", dispatch.dispatch_file_download, name="dispatch_file"),
    path(
        "dispatch/files/<int:file_id>/remove/",
        dispatch.dispatch_file_remove_page,
        name="dispatch_file_remove",
    ),
    path("league-visits/", dispatch.league_visits, name="league_visits"),
    path(
        "league-visits/<int:visit_id>/delete/", dispatch.league_visit_delete_page, name="league_visit_delete"
    ),
    path("evaluation/document.docx", evaluation.evaluation_word, name="evaluation_docx"),
    path("evaluation/document.pdf", evaluation.evaluation_pdf_file, name="evaluation_pdf"),
    path("evaluation/assessment/", evaluation.assessment_page, name="assessment"),
    path("evaluation/assessment/template.xlsx", evaluation.assessment_template, name="assessment_template"),
    path(
        "evaluation/assessment/<int:import_id>/", evaluation.assessment_import_page, name="assessment_import"
    ),
    path("region/", region.region_page, name="region"),
    path("region/publicity.zip", region.region_publicity, name="region_publicity"),
]
