"""The WSGI application gunicorn serves: `gunicorn -c timesup/gunicorn.conf.py timesup.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "timesup.settings")

application = get_wsgi_application()
