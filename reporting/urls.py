from django.urls import path

from . import views

app_name = "reporting"
urlpatterns = [
    path("hospitals/<int:hospital_id>/months/", views.month_index, name="months"),
    path("hospitals/<int:hospital_id>/months/<str:month>/", views.month_page, name="month"),
]
