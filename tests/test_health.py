import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.content == b"ok\n"


def test_healthz_is_reachable_over_plain_http_for_load_balancers(db):
    from django.test import Client

    response = Client().get(reverse("healthz"))

    assert response.status_code == 200


def test_healthz_answers_503_when_the_database_is_down(client, database_down):
    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.content == b"database unavailable\n"
    assert response["Retry-After"] == "30"  # like the site's other 503 pages
