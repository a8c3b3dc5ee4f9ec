import pytest
from django.core.management import call_command
from django.test import Client


class HttpsClient(Client):
    """The test client, speaking HTTPS: tests run with the production
    security settings (SSL redirect, Secure cookies, HSTS) left on."""

    def request(self, **request):
        request.update({"wsgi.url_scheme": "https", "SERVER_PORT": "443"})
        return super().request(**request)


@pytest.fixture(scope="session", autouse=True)
def collected_static_files():
    # Pages name their stylesheet through the manifest of hashed file names,
    # as in production; collect once so it exists.
    call_command("collectstatic", interactive=False, verbosity=0)


@pytest.fixture
def client():
    return HttpsClient()


@pytest.fixture
def admin_client(db, admin_user):
    client = HttpsClient()
    client.force_login(admin_user)
    return client
