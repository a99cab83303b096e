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


def database_options(**env):
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL", "DB_PREPARE_THRESHOLD"}}
    code = "import betterway.settings as s; print(sorted(s.DATABASES['default'].get('OPTIONS', {}).items()))"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**clean, "DEBUG": "1", **env}, capture_output=True, text=True
    ).stdout.strip()


def test_postgresql_binds_parameters_on_the_server_so_that_statements_can_be_prepared():
    postgres = "postgres://u@localhost/db"
    assert database_options(DATABASE_URL=postgres) == (
        "[('options', '-c jit=off'), ('prepare_threshold', 5), ('server_side_binding', True)]"
    )
    assert database_options(DATABASE_URL=postgres, DB_PREPARE_THRESHOLD="0") == (
        "[('options', '-c jit=off'), ('prepare_threshold', None), ('server_side_binding', True)]"
    )
    assert database_options() == "[]"  # SQLite: nothing of the kind


@pytest.mark.django_db
def test_postgresql_runs_a_page_s_statements_without_compiling_them_first():
    """JIT compilation took twice as long as a search it compiled (betterway/settings.py)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


@pytest.mark.django_db
def test_a_statement_run_again_on_a_connection_is_prepared_on_postgresql():
    from django.db import connection

    from insights.models import Principle

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's (DATABASE_URL unset: SQLite)")
    for _ in range(6):
        Principle.objects.filter(title="a title no principle has").count()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s AND statement LIKE %s",
            ["%COUNT(*)%", '%"insights_principle"."title" = $1%'],
        )
        assert cursor.fetchone()[0] == 1
