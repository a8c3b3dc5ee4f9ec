# The site's image: gunicorn serving timesup/gunicorn.conf.py, as a user of its
# own. The same image runs the task worker and the migrations (compose.yaml).
#
#   docker build -t timesup .
#
# Debian's Python (3.11 in bookworm), not a python:* image: the base is then
# one Debian can build itself (debootstrap), where registries are out of reach.
FROM debian:bookworm-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PATH=/opt/venv/bin:$PATH \
    VAR_DIR=/var/lib/timesup \
    STATIC_ROOT=/app/static-collected \
    GUNICORN_BIND=0.0.0.0:8000 \
    PORT=8000

RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-venv gettext ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin timesup

WORKDIR /app

# The pinned dependencies, each checked against its hash, before the code:
# a code change does not reinstall them.
COPY requirements.txt ./
# PIP_CERT: a CA bundle, for builds behind a TLS-inspecting proxy (pass it with
# --build-arg and mount the file); unset, pip trusts its own bundle.
ARG PIP_CERT
RUN python3 -m venv /opt/venv \
    && pip install --require-hashes --no-deps -r requirements.txt

COPY --chown=timesup:timesup . .
# Translations compiled and static files collected into the image, with a key
# used for nothing else (the running site reads SECRET_KEY from its env file).
RUN msgfmt --check-format -o locale/es/LC_MESSAGES/django.mo locale/es/LC_MESSAGES/django.po \
    && SECRET_KEY=collectstatic-only VAR_DIR=/tmp/build-var python manage.py collectstatic --noinput --verbosity 0 \
    && rm -rf /tmp/build-var \
    && mkdir -p "$VAR_DIR" /run/timesup && chown timesup:timesup "$VAR_DIR" /run/timesup

USER timesup
VOLUME ["/var/lib/timesup"]
EXPOSE 8000

# /healthz over plain HTTP (exempt from the HTTPS redirect), under the host the
# site answers to, where gunicorn listens: its port, or the unix socket
# compose.yaml shares with the proxy.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "deploy/healthcheck.py"]

CMD ["gunicorn", "--config", "timesup/gunicorn.conf.py", "timesup.wsgi"]
