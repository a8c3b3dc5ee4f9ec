from django.urls import include, path

from pledges import link_paths, views

# Each letter's signing pages. The featured letter's are at the site's root
# (/en/sign/…), as they were before there were several letters; the same
# names reverse to either address (with or without the slug): see
# Campaign.page_url(). Its statement page is campaign/urls.py's.
letter_pages = [
    path("sign/", views.sign, name="sign"),
    path("sign/thanks/", views.thanks, name="thanks"),
    path("signatures/", views.wall, name="wall"),
    path("stats/", views.stats, name="stats"),
]

app_name = "pledges"
urlpatterns = [
    *letter_pages,
    path("letters/<slug:slug>/", include(letter_pages)),
    # Links in emails: they name a signature, whichever letter it signed.
    path(f"{link_paths.CONFIRM}/<str:token>/", views.confirm, name="confirm"),
    path(f"{link_paths.WITHDRAW}/<str:token>/", views.withdraw, name="withdraw"),
    path(f"{link_paths.CHOICES}/<str:token>/", views.choices, name="choices"),
    path("privacy/", views.privacy, name="privacy"),
]
