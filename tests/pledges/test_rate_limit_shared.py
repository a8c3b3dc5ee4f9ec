"""Rate limits hold across gunicorn's worker processes, in the database and in Redis."""

import threading

import pytest
import redis

from pledges.models import Signature
from tests.conftest import Signer, serve_with_gunicorn
from tests.factories import make_featured_campaign

pytestmark = pytest.mark.live

LIMIT = 5
ATTEMPTS = 12
REDIS_URL = "redis://127.0.0.1:6379/13"


@pytest.fixture(params=["database", "redis"])
def limited_site(request, transactional_db, tmp_path):
    environ = {
        "SIGNING_RATE_LIMIT": str(LIMIT),
        "SIGNING_MIN_FILL_SECONDS": "0",
        "TASKS_IMMEDIATE": "true",
        "EMAIL_URL": f"filemail:///{tmp_path / 'mail'}",
    }
    if request.param == "redis":
        redis.Redis.from_url(REDIS_URL).flushdb()
        environ["CACHE_URL"] = REDIS_URL
    with serve_with_gunicorn(tmp_path / "gunicorn.log", **environ) as site:
        yield site


def test_the_signing_limit_is_shared_by_every_worker_process(limited_site):
    make_featured_campaign()
    statuses = []

    def sign_some(client_number):
        signer = Signer(limited_site.base_url)  # one client address: 127.0.0.1
        for n in range(ATTEMPTS // 4):
            statuses.append(signer.sign(f"client{client_number}-{n}@example.org")[0])

    threads = [threading.Thread(target=sign_some, args=(c,)) for c in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200] * LIMIT + [429] * (ATTEMPTS - LIMIT)
    assert Signature.objects.count() == LIMIT
