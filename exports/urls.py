from django.urls import path

from exports import views

app_name = "exports"
urlpatterns = [
    path("jobs/", views.export_jobs, name="jobs"),
    path("jobs/<int:job_id>/", views.export_job, name="job"),
    path("jobs/<int:job_id>/download/", views.export_job_download, name="job_download"),
    path("<slug:kind>/", views.export_download, name="download"),
]
