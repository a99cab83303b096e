"""Settings for bench/run: the site's own settings (betterway/settings.py), as production runs them from the
environment (DEBUG=0, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, CONN_MAX_AGE), with two differences that only
the bench needs:

- the collected static files live in the bench's own folder (BENCH_STATIC_ROOT), not in the project's;
- with REDIS_URL set, cache keys carry BENCH_CACHE_PREFIX (the database and run), so that pages cached from
  one archive size (or an earlier run) never answer for another.
"""

import os

from betterway.settings import *  # noqa: F403
from betterway.settings import CACHES

STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
CACHES["default"]["KEY_PREFIX"] = os.environ.get("BENCH_CACHE_PREFIX", "")
