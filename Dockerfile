# The portal's image. The web server (gunicorn), the Celery worker and the one Celery beat all run from it:
# see docker-compose.yml, and README.md "Production deployment".
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATA_DIR=/app/var \
    STATIC_ROOT=/app/static \
    GUNICORN_BIND=0.0.0.0:8000

WORKDIR /app
# gettext compiles translations; every Python package comes as a wheel, so no compiler is needed.
RUN apt-get update \
    && apt-get install --yes --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --user-group --uid 1000 --home-dir /app --no-create-home cchc

COPY requirements.txt .
# Production requirements only: no pytest, Playwright or other test tools in the image (requirements-dev.txt).
RUN pip install -r requirements.txt

COPY . .
# Static files are collected (hashed, compressed) into the image; the key below exists only for this step, since
# the settings refuse to start with DEBUG=False and no key. Uploads and backups live in volumes under /app/var.
RUN if find locale -name '*.po' | grep -q .; then python manage.py compilemessages; fi \
    && DEBUG=False SECRET_KEY=only-for-collectstatic-at-build-time python manage.py collectstatic --noinput \
    && mkdir -p /app/var/media /app/var/backups \
    && chown -R cchc:cchc /app/var

USER cchc
EXPOSE 8000
CMD ["gunicorn", "cchc_portal.wsgi", "-c", "gunicorn.conf.py"]
