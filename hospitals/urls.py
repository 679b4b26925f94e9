from django.urls import path

from hospitals import views

app_name = "hospitals"
urlpatterns = [
    path("", views.hospital_list, name="list"),
    path("mine/", views.my_hospital, name="mine"),
    path("banners/", views.banner_list, name="banners"),
]
