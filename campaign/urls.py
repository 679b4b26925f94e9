from django.urls import path

from campaign import banner_views, league_views, plan_views, views

app_name = "campaign"
urlpatterns = [
    path("banners/<int:unit_id>/lectures/", banner_views.banner_lectures, name="banner_lectures"),
    path("banners/<int:unit_id>/lectures/new/", banner_views.banner_lecture_new, name="banner_lecture_new"),
    path(
        "banner-lectures/<int:lecture_id>/edit/", banner_views.banner_lecture_edit, name="banner_lecture_edit"
    ),
    path(
        "banner-lectures/<int:lecture_id>/delete/",
        banner_views.banner_lecture_delete,
        name="banner_lecture_delete",
    ),
    path("units/<int:unit_id>/launch/", banner_views.unit_launch, name="unit_launch"),
    path(
        "launch-records/<int:record_id>/attachment/",
        banner_views.launch_record_download,
        name="launch_record_download",
    ),
    path("tour-lecturers/", league_views.tour_lecturers, name="tour_lecturers"),
    path(
        "tour-lecturers/<int:selection_id>/remove/",
        league_views.tour_lecturer_remove,
        name="tour_lecturer_remove",
    ),
    path("publicity/", league_views.publicity, name="publicity"),
    path("hospitals/<int:hospital_id>/", views.hospital_detail, name="hospital"),
    path("hospitals/<int:hospital_id>/lectures/", views.lecture_index, name="lectures"),
    path("hospitals/<int:hospital_id>/lectures/new/", views.lecture_new, name="lecture_new"),
    path("lectures/<int:lecture_id>/", views.lecture_detail, name="lecture"),
    path("lectures/<int:lecture_id>/edit/", views.lecture_edit, name="lecture_edit"),
    path("lectures/<int:lecture_id>/delete/", views.lecture_delete, name="lecture_delete"),
    path("materials/<int:material_id>/delete/", views.material_delete, name="material_delete"),
    path("materials/<int:material_id>/download/", views.material_download, name="material_download"),
    path("materials/<int:material_id>/recommend/", views.material_recommend, name="material_recommend"),
    path("hospitals/<int:hospital_id>/launch/", plan_views.launch_page, name="launch"),
    path("hospitals/<int:hospital_id>/lecture-plan/", plan_views.lecture_plan_page, name="lecture_plan"),
    path(
        "hospitals/<int:hospital_id>/lecture-plan/documents/<int:document_id>/",
        plan_views.lecture_plan_item_page,
        name="lecture_plan_item",
    ),
    path(
        "lecture-plan-items/<int:plan_item_id>/courseware/", plan_views.courseware_download, name="courseware"
    ),
    path("hospitals/<int:hospital_id>/actions/", views.action_plan_page, name="action_plan"),
    path("actions/<int:item_id>/", views.action_item_detail, name="action_item"),
    path("actions/<int:item_id>/edit/", views.action_item_edit, name="action_item_edit"),
    path("actions/<int:item_id>/delete/", views.action_item_delete, name="action_item_delete"),
    path("roadmap/<int:step_id>/edit/", views.roadmap_edit, name="roadmap_edit"),
    path("roadmap/<int:step_id>/delete/", views.roadmap_delete, name="roadmap_delete"),
    path("progress/<int:entry_id>/edit/", views.progress_edit, name="progress_edit"),
    path("progress/<int:entry_id>/delete/", views.progress_delete, name="progress_delete"),
]
