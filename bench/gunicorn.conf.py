"""gunicorn for bench/run: the project's gunicorn.conf.py (sync workers, its timeout) on the loopback address,
without its access log (one line a request would be measured too; the peers log none either)."""

import os

bind = f"127.0.0.1:{os.environ['BENCH_PORT']}"
workers = int(os.environ.get("WORKERS", "2"))
worker_class = "sync"
threads = 1
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
loglevel = "warning"
errorlog = "-"
wsgi_app = "betterway.wsgi:application"
