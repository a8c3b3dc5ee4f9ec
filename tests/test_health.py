import pytest
from django.db import connection
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


@pytest.fixture
def database_down(transactional_db):
    """Point the live connection at a database that isn't there, then restore it."""
    settings_dict = connection.settings_dict
    saved = dict(settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        settings_dict["NAME"] = "/nonexistent/directory/db.sqlite3"
    else:
        settings_dict["PORT"] = "1"  # nothing listens there: connection refused
    yield
    connection.close()
    settings_dict.update(saved)


def test_healthz_answers_503_when_the_database_is_down(client, database_down):
    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.content == b"database unavailable\n"
