from django.urls import path

from hospitals import onboarding_views, views

app_name = "hospitals"
urlpatterns = [
    path("", views.hospital_list, name="list"),
    path("mine/", views.my_hospital, name="mine"),
    path("banners/", views.banner_list, name="banners"),
    path("onboarding/", onboarding_views.onboarding_start, name="onboarding_start"),
    path("onboarding/<int:league_id>/", onboarding_views.onboarding_page, name="onboarding"),
    path(
        "onboarding/<int:league_id>/workbook/",
        onboarding_views.onboarding_workbook,
        name="onboarding_workbook",
    ),
    path("onboarding/imports/<int:import_id>/", onboarding_views.onboarding_import, name="onboarding_import"),
    path("<int:hospital_id>/people/", views.people_page, name="people"),
    path("people/<int:person_id>/", views.person_edit, name="person_edit"),
    path("departments/<int:department_id>/", views.department_edit, name="department_edit"),
]
