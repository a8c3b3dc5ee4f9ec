"""For partner sites, outside the language prefix: the JSON API and the embeddable widget."""

from django.urls import path

from pledges import api, views

app_name = "partners"
urlpatterns = [
    path("api/campaigns/<slug:slug>/", api.campaign_detail, name="api-campaign"),
    path("embed/", views.embed, name="embed"),
    path("embed/<slug:slug>/", views.embed, name="embed-campaign"),
]
