"""Ready for production: the settings refuse to start half-configured, the deployment files pass their linters,
gunicorn serves with the container's own command, every page carries the security headers, /healthz tells the
truth, the site answers 503 (not a traceback) while the database is away and keeps serving while the cache is,
and staff are asked for, and logged in with, two-factor authentication."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from unittest import mock

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, hotp_value, yield_hotp_counters_from_time
from django.db import OperationalError, connection
from django.test import Client, override_settings
from django.urls import reverse

from core import caching

from .factories import MeetingFactory, verified_user

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PRODUCTION = {"DEBUG": "0", "SECRET_KEY": "a-production-key-" + "x" * 50, "ALLOWED_HOSTS": "betterway.example"}


def plain_environment():
    """This process's environment without the test run's Django variables (the browser tests set
    DJANGO_ALLOW_ASYNC_UNSAFE, which the deployment checks rightly refuse)."""
    ours = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"}
    return {k: v for k, v in os.environ.items() if k not in ours and not k.startswith("DJANGO_")}


def run(args, **env):
    """A command in a plain environment (plain_environment()) plus `env`."""
    plain = plain_environment()
    return subprocess.run(args, cwd=ROOT, env={**plain, **env}, capture_output=True, text=True, timeout=120)


# --- settings -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "env, missing",
    [
        ({"DEBUG": "0"}, "SECRET_KEY and ALLOWED_HOSTS are not set"),
        ({"DEBUG": "0", "SECRET_KEY": "x"}, "ALLOWED_HOSTS is not set"),
        ({"DEBUG": "0", "ALLOWED_HOSTS": "betterway.example"}, "SECRET_KEY is not set"),
    ],
)
def test_production_refuses_to_start_half_configured_with_one_line_naming_what_is_missing(env, missing):
    result = run([sys.executable, "manage.py", "check"], **env)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"Refusing to start: {missing} (production settings, DEBUG off). "
        f"Set {'them' if ' and ' in missing else 'it'} in the environment, or DEBUG=1 for development."
    )


def test_gunicorn_refuses_to_start_without_the_production_settings():
    """The container's command, with nothing set: gunicorn stops at once with the settings' one line."""
    result = run([str(VENV_BIN / "gunicorn"), "--config", "gunicorn.conf.py"], DEBUG="0", PORT=str(free_port()))
    assert result.returncode != 0
    assert "Refusing to start: SECRET_KEY and ALLOWED_HOSTS are not set" in result.stderr


def test_commands_from_a_fresh_checkout_are_development():
    """`manage.py` with no variables set is development (the README's commands work as written): DEBUG on."""
    result = run(
        [sys.executable, "manage.py", "shell", "-c", "from django.conf import settings; print(settings.DEBUG)"]
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "True"
    assert run([sys.executable, "manage.py", "import_notes", "--help"]).returncode == 0


def test_the_wsgi_application_is_production_unless_told():
    code = "import betterway.wsgi; from django.conf import settings; print(settings.DEBUG)"
    assert run([sys.executable, "-c", code], **PRODUCTION).stdout.strip() == "False"
    assert "Refusing to start" in run([sys.executable, "-c", code]).stderr


def test_the_deployment_checks_report_nothing():
    result = run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        **PRODUCTION,
        SITE_URL="https://betterway.example",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


# --- the deployment files -------------------------------------------------------------------------------------


def test_the_dockerfile_passes_hadolint_and_builds_as_documented():
    result = run([str(VENV_BIN / "hadolint"), "Dockerfile"])
    assert result.returncode == 0, result.stdout + result.stderr
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert len(re.findall(r"^FROM ", dockerfile, re.M)) == 2  # build stage, then the slim runtime
    assert re.search(r"^USER 1000", dockerfile, re.M)  # not root
    assert "HEALTHCHECK" in dockerfile and "/healthz" in dockerfile
    assert 'CMD ["gunicorn", "--config", "gunicorn.conf.py"]' in dockerfile
    assert "collectstatic" in dockerfile


def test_the_compose_file_is_valid_and_names_every_service():
    result = run([str(VENV_BIN / "check-jsonschema"), "--builtin-schema", "vendor.compose-spec", "compose.yaml"])
    assert result.returncode == 0, result.stdout + result.stderr
    import yaml

    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    assert set(compose["services"]) == {"migrate", "web", "worker", "db", "redis"}
    assert compose["services"]["worker"]["command"] == ["python", "manage.py", "db_worker"]


def test_a_broken_compose_file_is_caught(tmp_path):
    broken = tmp_path / "compose.yaml"
    broken.write_text("services:\n  web:\n    image: betterway\n    restart: sometimes-maybe\n    ports: 8000\n")
    result = run([str(VENV_BIN / "check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(broken)])
    assert result.returncode != 0


def test_the_gunicorn_config_loads():
    result = run([str(VENV_BIN / "gunicorn"), "--config", "gunicorn.conf.py", "--check-config"], **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url, **headers):
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def test_the_containers_command_serves_the_site_with_production_settings(tmp_path):
    """What the image runs, here: collectstatic, migrate, then `gunicorn --config gunicorn.conf.py` with production
    settings; it answers /healthz, a page with its security headers, and a static file cached for a year."""
    env = {
        **PRODUCTION,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_ROOT": str(tmp_path / "static"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}",
        "PORT": str(free_port()),
        "WEB_CONCURRENCY": "1",
    }
    assert run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], **env).returncode == 0
    assert run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], **env).returncode == 0
    plain = plain_environment()
    server = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "--config", "gunicorn.conf.py"],
        cwd=ROOT,
        env={**plain, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    site = f"http://127.0.0.1:{env['PORT']}"
    try:
        for _ in range(100):
            try:
                status, _headers, body = get(site + "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        assert (status, body) == (200, '{"database": "ok", "cache": "ok"}')
        status, headers, body = get(site + "/about/")
        assert status == 200 and "A Better Way" in body
        assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
        stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]+\.css)"', body).group(1)
        status, headers, _ = get(site + stylesheet, **{"Accept-Encoding": "gzip"})
        assert status == 200 and "max-age=315360000" in headers["Cache-Control"]
        assert headers.get("Content-Encoding") == "gzip"
    finally:
        server.terminate()
        server.wait(timeout=10)


# --- security headers -----------------------------------------------------------------------------------------


def security_headers(response):
    return {
        name: response.get(name)
        for name in (
            "Content-Security-Policy",
            "Permissions-Policy",
            "Cross-Origin-Opener-Policy",
            "Referrer-Policy",
            "X-Frame-Options",
            "X-Content-Type-Options",
        )
    }


def assert_safe_headers(headers):
    csp = dict(part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";"))
    assert csp["script-src"] == "'self'" and csp["style-src"] == "'self'"
    assert csp["object-src"] == "'none'" and csp["frame-ancestors"] == "'none'" and csp["base-uri"] == "'none'"
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert "unsafe-eval" not in headers["Content-Security-Policy"]
    assert "camera=()" in headers["Permissions-Policy"] and "geolocation=()" in headers["Permissions-Policy"]
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_every_kind_of_answer_carries_the_security_headers(client, db):
    meeting = MeetingFactory()
    for url in ("/", meeting.get_absolute_url(), "/no-such-page/", reverse("account_login"), "/notes/feed.atom"):
        assert_safe_headers(security_headers(client.get(url)))


@override_settings(PAGE_CACHE=True)
def test_a_page_from_the_visitors_cache_keeps_its_security_headers(client, db, django_assert_num_queries):
    caching.bump()
    first = client.get("/about/")
    with django_assert_num_queries(0):  # from the cache
        again = client.get("/about/")
    assert security_headers(again) == security_headers(first)
    assert_safe_headers(security_headers(again))


def test_the_sites_templates_have_no_inline_script_style_or_event_handler():
    """The policy forbids them, so the site's own pages must not need them (emails are not pages: their inline
    styles are for mail programs, which ignore style sheets)."""
    found = []
    for path in (ROOT / "templates").rglob("*.html"):
        if "email" in path.parts:
            continue
        text = path.read_text()
        for pattern in (r"<script(?![^>]*\bsrc=)[^>]*>", r"\sstyle=", r"\son[a-z]+=", r"<style[\s>]"):
            found += [f"{path.relative_to(ROOT)}: {match}" for match in re.findall(pattern, text)]
    assert found == []


# --- health, and the database or the cache away ---------------------------------------------------------------


def test_healthz_says_the_database_and_the_cache_answer(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_healthz_is_answered_by_any_address_and_before_the_https_redirect(db):
    with override_settings(ALLOWED_HOSTS=["betterway.example"], SECURE_SSL_REDIRECT=True):
        response = Client(HTTP_HOST="10.0.0.7:8000").get("/healthz")
        assert response.status_code == 200
        assert Client(HTTP_HOST="betterway.example").get("/about/").status_code == 301  # pages still go to HTTPS


def database_away():
    """Every new query fails as it does when PostgreSQL is stopped."""
    return mock.patch.object(connection, "cursor", side_effect=OperationalError("connection refused"))


def test_while_the_database_is_away_healthz_says_so_and_visitors_get_the_503_page(db):
    meeting = MeetingFactory()
    client = Client(raise_request_exception=False)
    with database_away():
        health = client.get("/healthz")
        page = client.get(meeting.get_absolute_url())
    assert health.status_code == 503 and health.json()["database"] == "unavailable"
    assert page.status_code == 503
    assert page["Retry-After"] == "30"
    text = page.content.decode()
    assert "The site is unavailable for a moment" in text and "Traceback" not in text
    assert "connection refused" not in text
    assert_safe_headers(security_headers(page))
    # back: the next request is served as usual
    assert client.get(meeting.get_absolute_url()).status_code == 200
    assert client.get("/healthz").json() == {"database": "ok", "cache": "ok"}


def test_a_query_that_is_wrong_is_still_a_500_not_a_503(db):
    client = Client(raise_request_exception=False)
    with mock.patch("betterway.views.Meeting.objects.visible_to", side_effect=ValueError("a bug")):
        response = client.get("/")
    assert response.status_code == 500
    assert "Sorry, there is a problem" in response.content.decode()


FORGIVING_CACHE_AWAY = {
    "default": {
        "BACKEND": "core.cache.ForgivingRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there: refused at once
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


def test_with_the_cache_away_the_site_keeps_serving_and_members_can_still_post(db, client):
    meeting = MeetingFactory()
    member = verified_user()
    with override_settings(CACHES=FORGIVING_CACHE_AWAY, PAGE_CACHE=True):
        health = client.get("/healthz")
        assert health.status_code == 200 and health.json() == {"database": "ok", "cache": "unavailable"}
        assert client.get(meeting.get_absolute_url()).status_code == 200
        assert client.get("/").status_code == 200
        client.force_login(member)
        response = client.post(
            reverse("discussion:meeting_comment", args=[meeting.slug]), {"body": "Still here while Redis is away."}
        )
        assert response.status_code in (200, 302)
    assert meeting.comments.filter(body="Still here while Redis is away.").count() == 1


CACHED_SESSIONS = "django.contrib.sessions.backends.cached_db"  # the sessions' engine when REDIS_URL is set


def test_sessions_are_read_from_the_shared_cache_when_there_is_one():
    def engine(**env):
        code = "from django.conf import settings; print(settings.SESSION_ENGINE)"
        return run(
            [sys.executable, "-c", code], DEBUG="1", DJANGO_SETTINGS_MODULE="betterway.settings", **env
        ).stdout.strip()

    assert engine(REDIS_URL="redis://127.0.0.1:6379/0") == CACHED_SESSIONS
    assert engine() == "django.contrib.sessions.backends.db"


def test_a_members_session_outlives_the_cache_losing_it_or_being_away(db, client):
    member = verified_user()
    with override_settings(SESSION_ENGINE=CACHED_SESSIONS):
        client.force_login(member)
        assert "Log out" in client.get("/about/").content.decode()
        caching.cache.clear()  # Redis restarted: it keeps nothing on disk
        assert "Log out" in client.get("/about/").content.decode()
        with override_settings(CACHES=FORGIVING_CACHE_AWAY):
            assert "Log out" in client.get("/about/").content.decode()


def test_the_shared_cache_makes_one_redis_client_and_keeps_it():
    """Django makes a redis client for every cache call; making one costs more than a kept page's round trip."""
    import redis

    from core.cache import ForgivingRedisCache

    with mock.patch("redis.Redis", wraps=redis.Redis) as made:
        away = ForgivingRedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 1}})
        away.set("page", "kept")
        assert away.get("page") is None  # away: forgiven, as before
        assert away.get_many(["page", "generation"]) == {}
    assert made.call_count == 1


# --- two-factor authentication --------------------------------------------------------------------------------


def test_staff_without_two_factor_are_asked_to_turn_it_on_and_others_are_not(client, db):
    staff = verified_user(is_staff=True)
    client.force_login(staff)
    page = client.get("/about/").content.decode()
    assert "protect it with" in page and reverse("mfa_index") in page
    client.force_login(verified_user())
    assert "protect it with" not in client.get("/about/").content.decode()
    TOTP.activate(staff, generate_totp_secret())
    client.force_login(staff)
    assert "protect it with" not in client.get("/about/").content.decode()


def test_the_profile_offers_two_factor_to_every_member(client, db):
    client.force_login(verified_user())
    assert reverse("mfa_index") in client.get(reverse("people:profile")).content.decode()


def current_code(secret):
    return f"{hotp_value(secret, next(yield_hotp_counters_from_time())):06d}"


def test_a_member_with_an_authenticator_app_needs_its_code_to_log_in(client, db):
    user = verified_user(username="staff@example.org", email="staff@example.org", is_staff=True)
    user.set_password("a long enough password")
    user.save()
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    response = client.post(
        reverse("account_login"), {"login": "staff@example.org", "password": "a long enough password"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session  # not logged in on the password alone
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000" if current_code(secret) != "000000" else "1"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    right = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert right.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)


def test_the_admin_is_entered_through_the_sites_login(client, db):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    client.force_login(verified_user())
    assert client.get(reverse("admin:login")).status_code == 403


def test_an_outage_is_logged_as_one_warning_line_a_request_and_other_errors_in_full(db, caplog):
    """settings.LOGGING's filter on django.request: a 503 for the database being away is a warning without a
    traceback; a 500 keeps its traceback at ERROR."""
    import logging

    from core.health import OutageInOneLine

    meeting = MeetingFactory()
    client = Client(raise_request_exception=False)
    request_logger = logging.getLogger("django.request")
    assert any(isinstance(f, OutageInOneLine) for f in request_logger.filters)
    with caplog.at_level(logging.WARNING, logger="django.request"), database_away():
        client.get(meeting.get_absolute_url())
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.levelname == "WARNING" and record.exc_info is None
    assert "connection refused" in record.getMessage()
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="django.request"):
        with mock.patch("betterway.views.Meeting.objects.visible_to", side_effect=ValueError("a bug")):
            client.get("/")
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.levelname == "ERROR" and record.exc_info is not None
