from django.urls import path

from pledges import views

app_name = "pledges"
urlpatterns = [
    path("sign/", views.sign, name="sign"),
    path("sign/thanks/", views.thanks, name="thanks"),
    path("signatures/", views.wall, name="wall"),
]
