"""Production safety of the settings and the demo setup (tests/test_production.py: refusing to start)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

ROOT = Path(__file__).resolve().parent.parent


def load_settings(**env):
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL"}}
    return subprocess.run(
        [sys.executable, "-c", "import betterway.settings as s; print(s.DEBUG, s.DATABASES['default']['ENGINE'])"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
    )


def test_sqlite_is_the_default_and_database_url_chooses_postgresql():
    assert load_settings(DEBUG="1").stdout.split() == ["True", "django.db.backends.sqlite3"]
    result = load_settings(DEBUG="0", SECRET_KEY="x", ALLOWED_HOSTS="x", DATABASE_URL="postgres://u@localhost/db")
    assert result.stdout.split() == ["False", "django.db.backends.postgresql"]


@override_settings(DEBUG=False)
def test_demo_accounts_are_refused_when_debug_is_off(db):
    with pytest.raises(CommandError, match="development only"):
        call_command("create_demo_accounts")
