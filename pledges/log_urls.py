"""Each letter's log, at stable addresses outside the language prefix (the API names them)."""

from django.urls import path

from pledges import log_views as views

app_name = "log"
urlpatterns = [
    path("log/keys", views.keys, name="keys"),
    path("log/<slug:slug>/checkpoint", views.checkpoint, name="checkpoint"),
    path("log/<slug:slug>/checkpoint/<int:size>", views.checkpoint_at, name="checkpoint-at"),
    path(
        "log/<slug:slug>/consistency/<int:old>/<int:new>",
        views.consistency,
        name="consistency",
    ),
    path("log/<slug:slug>/tile/<path:path>", views.tile, name="tile"),
]
