import threading

import pytest
from django.db import connection
from django.urls import reverse

from pledges.models import Signature
from tests.conftest import HttpsClient
from tests.factories import make_featured_campaign, signing_form

SUBMISSIONS = 8


@pytest.mark.django_db(transaction=True)
def test_identical_submissions_at_the_same_instant_store_one_signature():
    make_featured_campaign()
    start = threading.Barrier(SUBMISSIONS)
    statuses = []

    def submit():
        client = HttpsClient()
        try:
            start.wait()
            response = client.post(reverse("pledges:sign"), signing_form(email="ana@example.org"))
            statuses.append(response.status_code)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=submit) for _ in range(SUBMISSIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [302] * SUBMISSIONS
    assert Signature.objects.filter(email="ana@example.org").count() == 1
