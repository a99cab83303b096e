"""Settings for the test suite: the real settings, with development defaults.

DATABASE_URL still decides the database, so the same suite runs on SQLite and
on PostgreSQL.
"""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("SECRET_KEY", "test-only-not-secret")

from betterway.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tasks run at once, inside the test (after commit, as in production).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# No persistent connections in tests: a live-server thread's connection would outlive the run and keep
# PostgreSQL from dropping the test database.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

# Visitors' pages are not kept from one request to the next (the cache outlives each test's database): tests of
# the page cache turn it on (tests/test_caching.py).
PAGE_CACHE = False
