"""Gunicorn settings of the portal: `gunicorn cchc_portal.wsgi -c gunicorn.conf.py`.

Each value can be set from the environment (listed in .env.example). Behind nginx, keep the default bind on
127.0.0.1; in the Docker image it is 0.0.0.0:8000, published only to the proxy.
"""

import multiprocessing
import os

bind = [os.environ.get("GUNICORN_BIND") or "127.0.0.1:8000"]
# Two workers per core plus one, at most 8: a province's staff is a few hundred people, and every worker holds a
# database connection.
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * multiprocessing.cpu_count() + 1, 8))
# A request that takes longer is killed: big imports and exports run in the Celery worker, not in a request.
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 60)
graceful_timeout = 30
# Restart each worker now and then, so that memory a long-lived process gathers is given back.
max_requests = 1000
max_requests_jitter = 100
# nginx sends X-Forwarded-Proto; trust it from these addresses only (the proxy's).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS") or "127.0.0.1,::1"
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL") or "info"
# The workers' heartbeat files in memory: on a container's overlay file system they can stall the workers.
if os.path.isdir("/dev/shm"):  # noqa: S108 - gunicorn's documented choice; the files hold no data
    worker_tmp_dir = "/dev/shm"  # noqa: S108
