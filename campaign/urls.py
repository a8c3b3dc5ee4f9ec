from django.urls import path

from campaign import views

# The statement page of each letter: the featured letter's at the site's root
# (/en/), every published letter's under letters/<slug>/. pledges/urls.py
# gives each letter its signing pages at the same two places.
app_name = "campaign"
urlpatterns = [
    path("", views.home, name="home"),
    path("letters/", views.letters, name="letters"),
    path("letters/<slug:slug>/", views.home, name="home"),
    path("letters/<slug:slug>/preview/", views.preview, name="preview"),
]
