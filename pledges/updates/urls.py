from django.urls import path

from pledges import link_paths
from pledges.updates import views

app_name = "updates"
urlpatterns = [
    # The link in every update (and its List-Unsubscribe header).
    path(f"{link_paths.UNSUBSCRIBE}/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
