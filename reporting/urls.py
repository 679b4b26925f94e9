from django.urls import path

from reporting import views

app_name = "reporting"
urlpatterns = [
    path("hospitals/<int:hospital_id>/months/", views.month_index, name="months"),
    path("hospitals/<int:hospital_id>/months/<str:month>/", views.month_page, name="month"),
    path("reports/<int:report_id>/", views.report_detail, name="report"),
    path("review/", views.review_queue, name="queue"),
    path("unlock-requests/", views.unlock_requests, name="unlocks"),
    path("notifications/", views.notifications, name="notifications"),
    path("bulletins/", views.bulletin_list, name="bulletins"),
    path("bulletins/<int:bulletin_id>/", views.bulletin_detail, name="bulletin"),
    path("bulletins/<int:bulletin_id>/excel/", views.bulletin_excel, name="bulletin_excel"),
    path("evaluation/", views.evaluation_page, name="evaluation"),
]
