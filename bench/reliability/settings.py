"""Settings for bench/reliability: the site's own settings (betterway/settings.py) as production runs them from the
environment (DEBUG=0, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, REDIS_URL, CACHE_KEY_PREFIX), with two differences
that only the reliability checks need:

- the collected static files live in the checks' own folder (RELIABILITY_STATIC_ROOT), not in the project's;
- RELIABILITY_LIFT_COMMENT_LIMITS=1 lifts the per-account comment limits (10 a minute, 100 a day,
  discussion/throttle.py) for the concurrency check, whose 20 members post 50 comments each within seconds.
  The check of the same text sent twice stays on. No other check sets it.
"""

import os

from betterway.settings import *  # noqa: F403

STATIC_ROOT = os.environ["RELIABILITY_STATIC_ROOT"]

if os.environ.get("RELIABILITY_LIFT_COMMENT_LIMITS") == "1":
    from discussion import throttle

    throttle.LIMITS = [(60, 1_000_000, "a minute", "in a minute"), (24 * 60 * 60, 1_000_000, "a day", "tomorrow")]
