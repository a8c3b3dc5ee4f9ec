from django.urls import path

from pledges import views

app_name = "pledges"
urlpatterns = [
    path("", views.home, name="home"),
    path("sign/", views.sign, name="sign"),
    path("sign/thanks/", views.thanks, name="thanks"),
    path("sign/confirm/<str:token>/", views.confirm, name="confirm"),
    path("sign/withdraw/<str:token>/", views.withdraw, name="withdraw"),
    path("signatures/", views.wall, name="wall"),
    path("privacy/", views.privacy, name="privacy"),
    path("stats/", views.stats, name="stats"),
]
