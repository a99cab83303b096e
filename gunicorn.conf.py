"""gunicorn settings (the container's entry point: `gunicorn --config gunicorn.conf.py`); each can be set from the
environment."""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# The site's code is loaded once, before the workers fork: settings that refuse to start (no SECRET_KEY or
# ALLOWED_HOSTS) stop gunicorn at once with their one line, instead of workers failing one after another; and the
# workers share the loaded code's memory. No connection is opened at import, so none is shared by the workers.
preload_app = True
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
wsgi_app = "betterway.wsgi:application"
