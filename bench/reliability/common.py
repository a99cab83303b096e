"""What the reliability checks share: the database, the site under gunicorn, an HTTP client with cookies and
forms, figures.

Everything is on the loopback address. The knobs (environment variables, set by bench/reliability/run):

- RELIABILITY_PG: the PostgreSQL server, a role that may create databases (postgres://postgres@127.0.0.1:5432);
- RELIABILITY_DB: the checks' database (betterway_reliability), made afresh by `prepare`;
- RELIABILITY_REDIS: the Redis the site caches in (redis://127.0.0.1:6379/0);
- RELIABILITY_RUN: this run's id, in every cache key prefix (so nothing cached by an earlier run answers);
- RELIABILITY_OUT: where logs go (/tmp/betterway-reliability/RUN).
"""

import html
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[2]
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PG = os.environ.get("RELIABILITY_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
DB = os.environ.get("RELIABILITY_DB", "betterway_reliability")
REDIS = os.environ.get("RELIABILITY_REDIS", "redis://127.0.0.1:6379/0")
RUN = os.environ.get("RELIABILITY_RUN") or time.strftime("%Y%m%d-%H%M%S")
OUT = Path(os.environ.get("RELIABILITY_OUT") or f"/tmp/betterway-reliability/{RUN}")
STATIC = Path(os.environ.get("RELIABILITY_STATIC") or "/tmp/betterway-reliability/static")
PASSWORD = "betterway-demo"  # noqa: S105 - the demo accounts' password (create_demo_accounts), and ours
DEMO = {
    "member": "member@example.org",
    "cellmember": "cellmember@example.org",
    "convenor": "convenor@example.org",
    "staff": "staff@example.org",
}
CONCURRENT_MEMBERS = 20  # rel-member-01 … -20@example.org, made by `dbtools accounts`
SECOND_CONVENOR = "rel-convenor-2@example.org"

LOOPBACK = re.compile(r"^(postgres(ql)?|rediss?)://([^@/]*@)?(127\.[0-9.]+|localhost|\[::1\])(:[0-9]+)?(/.*)?$")
for _url in (PG, REDIS):
    if not LOOPBACK.match(_url):
        sys.exit(f"{_url}: the reliability checks run on the loopback address only")


def member_email(n):
    return f"rel-member-{n:02d}@example.org"


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- the database ------------------------------------------------------------------------------------------------


def db_url(db=DB):
    return f"{PG}/{db}"


def psql(sql, db="postgres"):
    """Run SQL with psql; its output (unaligned, tuples only) as a string."""
    done = subprocess.run(
        ["psql", db_url(db), "-qAt", "-v", "ON_ERROR_STOP=1", "-c", sql], capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise RuntimeError(f"psql {db}: {done.stderr.strip()}")
    return done.stdout.strip()


def query(sql, params=(), db=DB):
    """Rows of a query, through psycopg (the site's own driver)."""
    import psycopg

    with psycopg.connect(db_url(db), connect_timeout=5) as connection:
        return connection.execute(sql, params).fetchall()


def meeting_state(slug, db=DB):
    """A meeting's summary, edit_version and the summaries its kept versions hold (newest first)."""
    rows = query(
        "SELECT m.summary, m.edit_version, v.serialized_data::json -> 0 -> 'fields' ->> 'summary'"
        " FROM cells_meeting m LEFT JOIN reversion_version v ON v.object_id = m.id::text AND v.content_type_id ="
        " (SELECT id FROM django_content_type WHERE app_label = 'cells' AND model = 'meeting')"
        " WHERE m.slug = %s ORDER BY v.id DESC",
        (slug,),
        db=db,
    )
    return {"summary": rows[0][0], "edit_version": rows[0][1], "history": [r[2] for r in rows if r[2] is not None]}


def logged_in(base, emails, db=DB):
    """{email: Browser} with a session made in the database for each account (dbtools sessions)."""
    made = dbtools("sessions", *emails, db=db)
    browsers = {}
    for email in emails:
        browser = Browser(base)
        browser.cookies["sessionid"] = made[email]
        browsers[email] = browser
    return browsers


def database_exists(db=DB):
    return psql(f"SELECT 1 FROM pg_database WHERE datname = '{db}'") == "1"


def recreate_database(db):
    psql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{db}"')


def site_env(db=DB, *, cache_prefix, workers=2, port=None, **extra):
    """The environment the site runs with: production-like (DEBUG off, a secret key, the host, PostgreSQL,
    Redis with this run's key prefix), plus `extra` (NAME=value)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "RELIABILITY_LIFT_", "PAGE_CACHE"))}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.reliability.settings",
        DEBUG="0",
        SECRET_KEY="reliability-only-not-secret",  # noqa: S106
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        DATABASE_URL=db_url(db),
        REDIS_URL=REDIS,
        CACHE_KEY_PREFIX=cache_prefix,
        WEB_CONCURRENCY=str(workers),
        RELIABILITY_STATIC_ROOT=str(STATIC),
        PYTHONUNBUFFERED="1",
    )
    if port:
        env.update(PORT=str(port), SITE_URL=f"http://127.0.0.1:{port}")
    env.update({k: str(v) for k, v in extra.items()})
    return env


def manage(*args, db=DB, env_extra=None, capture=False):
    """Run `manage.py ARGS` with the site's environment; its stdout when `capture`."""
    env = site_env(db, cache_prefix=f"reliability-{RUN}-manage", **(env_extra or {}))
    done = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=600
    )
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return done.stdout if capture else None


def dbtools(*args, db=DB):
    """`python -m bench.reliability.dbtools ARGS` (Django set up on `db`): its JSON answer."""
    env = site_env(db, cache_prefix=f"reliability-{RUN}-manage")
    done = subprocess.run(
        [PY, "-m", "bench.reliability.dbtools", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise RuntimeError(f"dbtools {' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def ensure_prepared():
    """The checks' database as `prepare` makes it; made now when missing (a check run on its own)."""
    if not database_exists() or not psql("SELECT to_regclass('reliability_marker') IS NOT NULL", DB) == "t":
        from . import prepare

        prepare.prepare()


# --- the site under gunicorn --------------------------------------------------------------------------------------


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Site:
    """gunicorn serving the site (`gunicorn --config gunicorn.conf.py`, the project's own), on the loopback
    address only (--bind overrides the config's 0.0.0.0), with its log in OUT/NAME.log."""

    def __init__(self, name, db=DB, *, workers=2, **extra):
        self.name, self.db, self.workers = name, db, workers
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = OUT / f"{name}.log"
        self.env = site_env(
            db, cache_prefix=f"reliability-{RUN}-{name}", workers=workers, port=self.port, LOG_LEVEL="INFO", **extra
        )
        self.process = None

    def start(self, timeout=40):
        OUT.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed by stop()
        self.process = subprocess.Popen(
            [GUNICORN, "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{self.port}"],
            cwd=ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        _started.append(self)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn {self.name} exited ({self.process.returncode}): see {self.log_path}")
            if Browser(self.base).get("/healthz", timeout=3).status == 200:
                log(f"site {self.name}: gunicorn ({self.workers} workers) on {self.base}, database {self.db}")
                return self
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn {self.name} did not answer within {timeout} s: see {self.log_path}")

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        if self.process:
            self._log.close()
        if self in _started:
            _started.remove(self)

    def log_text(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def errors(self, allowed=None):
        """The log's ERROR and CRITICAL entries (Django's and gunicorn's, each with its traceback), but those
        `allowed(entry)` accepts."""
        return [e for e in log_entries(self.log_text()) if e["error"] and not (allowed and allowed(e))]

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


_started = []

_ENTRY = re.compile(
    r"^(?:\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ (?P<level>[A-Z]+) (?P<logger>\S+) "
    r"|\[\d{4}-\d\d-\d\d [^\]]+\] \[\d+\] \[(?P<glevel>[A-Z]+)\] )(?P<message>.*)$"
)
_ACCESS = re.compile(r'^\S+ - \S+ \[[^\]]+\] "')
_EXCEPTION = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Timeout)\w*)(?::|$)")


def log_entries(text):
    """The entries of a gunicorn log (Django's log lines, gunicorn's own; access lines left out), each a dict:
    level, logger, message, exception (the class of the last exception in its traceback), error, text."""
    entries, current = [], None
    for line in text.splitlines():
        found = _ENTRY.match(line)
        if found or _ACCESS.match(line):
            current = None
        if found:
            level = found.group("level") or found.group("glevel")
            current = {
                "level": level,
                "logger": found.group("logger") or "gunicorn",
                "message": found.group("message"),
                "exception": None,
                "error": level in ("ERROR", "CRITICAL"),
                "text": line,
            }
            entries.append(current)
        elif current is not None:
            current["text"] += "\n" + line
            exception = _EXCEPTION.match(line)
            if exception:
                current["exception"] = exception.group(1)
    return entries


def report_errors(checks, site, allowed=None, what="no error in the gunicorn log"):
    """Expect no error entry in `site`'s log (but those `allowed` accepts); print a count of each kind and the
    first one's traceback."""
    errors = site.errors(allowed)
    kinds = Counter(f"{e['logger']}: {re.sub(r'/[^ ]*', '/…', e['message'])[:90]} [{e['exception']}]" for e in errors)
    checks.expect(not errors, f"{what} ({len(errors)} found)")
    for kind, n in kinds.most_common(8):
        print(f"    {n} × {kind}")
    if errors:
        print("    the first:\n      " + errors[0]["text"][-4000:].replace("\n", "\n      "))
    return errors


def stop_all_sites(*_):
    for site in list(_started):
        site.stop()


def on_termination(handler):
    """Run `handler` (then exit 1) on SIGTERM or SIGINT, e.g. to restart a service the check stopped."""

    def handle(signum, _frame):
        handler()
        stop_all_sites()
        sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)


# --- HTTP: a browser with cookies and forms ----------------------------------------------------------------------


class Response:
    def __init__(self, status, headers, body, elapsed, error=None):
        self.status, self.headers, self.body, self.elapsed, self.error = status, headers, body, elapsed, error

    def header(self, name):
        return self.headers.get(name.lower())

    def __repr__(self):
        return f"<Response {self.status or self.error}>"


class Browser:
    """One reader: cookies kept (sessionid, csrftoken), one connection a request (gunicorn's sync workers close
    it), redirects not followed. Behind the site's TLS proxy as production is (X-Forwarded-Proto: https, which
    gunicorn trusts from the loopback address), so CSRF checks the Origin of a form as a browser sends it."""

    def __init__(self, base, *, proxied=True):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.origin = f"https://{self.host}:{self.port}" if proxied else base
        self.proxied = proxied
        self.cookies = {}

    def request(self, method, path, fields=None, *, headers=None, timeout=30):
        body = urlencode(fields, doseq=True) if fields is not None else None
        sent = {"Host": f"{self.host}:{self.port}", "User-Agent": "betterway-reliability", "Accept": "text/html"}
        if self.proxied:
            sent["X-Forwarded-Proto"] = "https"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Origin"] = self.origin
            sent["Referer"] = self.origin + path
        sent.update(headers or {})
        started = time.perf_counter()
        connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=sent)
            answer = connection.getresponse()
            data = answer.read()
        except (OSError, http.client.HTTPException) as error:
            return Response(0, {}, "", time.perf_counter() - started, error=f"{type(error).__name__}: {error}")
        finally:
            connection.close()
        elapsed = time.perf_counter() - started
        for cookie in answer.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(cookie).items():
                if morsel.value == "" or morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        headers = {k.lower(): v for k, v in answer.getheaders()}
        return Response(answer.status, headers, data.decode("utf-8", "replace"), elapsed)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, fields, **kwargs):
        return self.request("POST", path, fields, **kwargs)

    def login(self, email, password=PASSWORD):
        """Log in through the site's own form (allauth at /accounts/login/): the Response of the POST."""
        page = self.get("/accounts/login/")
        if page.status != 200:
            return page
        form = find_form(page.body, "/accounts/login/")
        if form is None:
            raise RuntimeError("no login form at /accounts/login/")
        fields = form.fields()
        fields = [(k, v) for k, v in fields if k not in ("login", "password")]
        fields += [("login", email), ("password", password)]
        return self.post("/accounts/login/", fields)


class Form:
    def __init__(self, action, method):
        self.action, self.method = action, method
        self.controls = []  # (name, value, kind)

    def fields(self):
        """What a browser sends for it, without any submit button (the default button)."""
        return [(name, value) for name, value, _kind in self.controls]

    def get(self, name, default=None):
        return next((value for n, value, _kind in self.controls if n == name), default)

    def set(self, name, value):
        self.controls = [(n, value if n == name else v, k) for n, v, k in self.controls]


class _Forms(HTMLParser):
    SKIP = {"submit", "button", "reset", "image", "file"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self.form, self.textarea, self.select, self.option = [], None, None, None, None
        self.in_template = 0  # controls in a <template> (rows a script adds) are not sent

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "template":
            self.in_template += 1
        elif tag == "form":
            self.form = Form(a.get("action") or "", (a.get("method") or "get").lower())
            self.forms.append(self.form)
        elif self.form is None or self.in_template:
            return
        elif tag == "input" and a.get("name") and a.get("type", "text").lower() not in self.SKIP:
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.form.controls.append((a["name"], a.get("value", "on" if kind in ("checkbox", "radio") else ""), kind))
        elif tag == "textarea" and a.get("name"):
            self.textarea = [a["name"], ""]
        elif tag == "select" and a.get("name"):
            self.select = {"name": a["name"], "multiple": "multiple" in a, "chosen": [], "first": None}
        elif tag == "option" and self.select is not None:
            self.option = [a.get("value"), "", "selected" in a]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data
        elif self.option is not None:
            self.option[1] += data

    def handle_endtag(self, tag):
        if tag == "template":
            self.in_template = max(0, self.in_template - 1)
        elif tag == "form":
            self.form = None
        elif tag == "textarea" and self.textarea is not None:
            name, text = self.textarea
            if text.startswith("\r\n"):
                text = text[2:]
            elif text.startswith("\n"):
                text = text[1:]  # as browsers do: the newline right after <textarea> is not part of the value
            self.form.controls.append((name, text, "textarea"))
            self.textarea = None
        elif tag == "option" and self.option is not None:
            self._end_option()
        elif tag == "select" and self.select is not None:
            if self.option is not None:
                self._end_option()
            chosen = self.select["chosen"] or ([] if self.select["multiple"] else [self.select["first"]])
            for value in chosen:
                if value is not None:
                    self.form.controls.append((self.select["name"], value, "select"))
            self.select = None

    def _end_option(self):
        value, text, selected = self.option
        value = text.strip() if value is None else value
        if self.select["first"] is None:
            self.select["first"] = value
        if selected:
            self.select["chosen"].append(value)
        self.option = None


def forms(page_html):
    parser = _Forms()
    parser.feed(page_html)
    return parser.forms


def find_form(page_html, action):
    """The first form whose action is `action` (a path), or None."""
    return next((form for form in forms(page_html) if urlsplit(form.action).path == action), None)


def csrf_token(page_html):
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page_html)
    return found.group(1) if found else None


def text_of(page_html):
    """The page's text, tags removed and entities decoded (for looking for a message)."""
    return html.unescape(re.sub(r"<[^>]+>", " ", page_html))


# --- figures ------------------------------------------------------------------------------------------------------


def percentile(values, p):
    """The p-th percentile (nearest rank) of `values`, or None."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))
    return ordered[rank]


def ms(seconds):
    return "-" if seconds is None else f"{seconds * 1000:.1f}"


def statuses(counter):
    """'200×512, 302×40' from a Counter of statuses (0 is a connection error)."""
    return ", ".join(f"{'conn-error' if k == 0 else k}×{v}" for k, v in sorted(counter.items())) or "none"


class Tally:
    """Thread-safe counts of statuses and latencies, by label."""

    def __init__(self):
        self.lock = threading.Lock()
        self.by_status = Counter()
        self.latencies = []
        self.unexpected = []  # (label, method, path, status, error) - the first 50

    def add(self, label, method, path, response, expected=(200,)):
        with self.lock:
            self.by_status[response.status] += 1
            if response.status:
                self.latencies.append(response.elapsed)
            if response.status not in expected:
                if len(self.unexpected) < 50:
                    self.unexpected.append((label, method, path, response.status, response.error))
                return False
        return True

    @property
    def count(self):
        return sum(self.by_status.values())


class Checks:
    """The pass/fail lines of one check, printed as they come; `result` prints the RESULT line for `run`."""

    def __init__(self, name):
        self.name, self.failed, self.figures, self.started = name, [], [], time.monotonic()

    def expect(self, ok, what):
        print(f"  {'ok  ' if ok else 'FAIL'} {what}", flush=True)
        if not ok:
            self.failed.append(what)
        return ok

    def figure(self, text):
        self.figures.append(text)

    def result(self):
        took = time.monotonic() - self.started
        verdict = "PASS" if not self.failed else "FAIL"
        print(f"RESULT\t{self.name}\t{verdict}\t{took:.0f}\t{'; '.join(self.figures)}", flush=True)
        return 0 if not self.failed else 1
