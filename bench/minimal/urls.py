from django.urls import path

from bench.minimal import views

urlpatterns = [
    path("", views.page),
    path("healthz", views.page),
    path("post/", views.post),
]
