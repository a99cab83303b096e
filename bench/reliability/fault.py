"""Fault: PostgreSQL and then Redis stop under light load; the site says so, recovers by itself, and loses or
doubles no write.

Light load throughout, four readers in threads, every answer recorded with the phase it fell in: a visitor on
pages kept in the page cache, a visitor on searches nobody asked before (which the site must make), a logged-in
member, and a load balancer asking /healthz.

1. before: every answer 200; WRITES comments posted (each phase's comments by an account of their own: the
   site's limits are per account).
2. db-down: PostgreSQL stopped (`pg_ctlcluster … stop -m fast`) for DB_DOWN seconds. The site answers 503 with
   its own page ("unavailable", Retry-After), never 500 nor a dropped connection (a visitor's page already in
   the page cache may still answer 200); /healthz answers 503 {"database": "unavailable"}; comments posted from
   a page opened before answer 503 and are not stored. A detached watchdog starts PostgreSQL again after
   WATCHDOG seconds whatever happens to this script; the script starts it in a `finally` (and on SIGTERM).
3. db-recovering, db-after: PostgreSQL started again; within RECOVER seconds every reader is served again and
   /healthz says ok (gunicorn is not restarted: conn_health_checks replaces the dead connections); WRITES more
   comments posted. Every comment posted before and after is stored exactly once.
4. cache-down: Redis stopped (`redis-cli shutdown nosave`) for CACHE_DOWN seconds: every answer still 200 (pages
   made afresh), /healthz 200 {"database": "ok", "cache": "unavailable"}, a log-in through the form and WRITES
   comments work (stored once). cache-back: Redis started again (the command in README.md); /healthz says the
   cache is ok again.
"""

import json
import os
import re
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import quote

from .common import (
    DEMO,
    RUN,
    Browser,
    Checks,
    Site,
    dbtools,
    ensure_prepared,
    find_form,
    log,
    logged_in,
    member_email,
    ms,
    on_termination,
    percentile,
    query,
    report_errors,
    statuses,
)

DB_DOWN = 10
CACHE_DOWN = 8
RECOVER = 10
WATCHDOG = 25  # seconds after a stop, a detached watchdog starts the service again if it is still down
WRITES = 5
PG_CLUSTER = os.environ.get("RELIABILITY_PG_CLUSTER") or (
    sorted(os.listdir("/etc/postgresql"))[-1] if Path("/etc/postgresql").is_dir() else "15"
)
PG_START = ["pg_ctlcluster", "--skip-systemctl-redirect", PG_CLUSTER, "main", "start"]
PG_STOP = ["pg_ctlcluster", "--skip-systemctl-redirect", PG_CLUSTER, "main", "stop", "-m", "fast"]
REDIS_START = [
    "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379", "--save", "",
    "--appendonly", "no", "--dir", "/var/lib/redis", "--logfile", "/var/log/redis/ci.log",
]  # fmt: skip
REDIS_STOP = ["redis-cli", "-h", "127.0.0.1", "shutdown", "nosave"]
HEALTH = "load balancer (/healthz)"
CACHED = "visitor (cached pages)"
SEARCHES = "visitor (new searches)"
MEMBER = "member"


def pg_answers():
    return subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"], check=False).returncode == 0


def redis_answers():
    done = subprocess.run(["redis-cli", "-h", "127.0.0.1", "ping"], capture_output=True, text=True, check=False)
    return done.stdout.strip() == "PONG"


class Service:
    """A service this check stops: stop() leaves a detached watchdog that starts it again after WATCHDOG seconds
    if it is still down (whatever happens to this script); start() (also from `finally` and on SIGTERM)."""

    def __init__(self, name, start_command, stop_command, answers, probe):
        self.name, self.start_command, self.stop_command = name, start_command, stop_command
        self.answers, self.probe = answers, probe
        self.watchdog = None
        self.stopped = False

    def stop(self):
        start = " ".join(f"'{part}'" for part in self.start_command)
        self.watchdog = subprocess.Popen(
            ["bash", "-c", f"sleep {WATCHDOG}; {self.probe} >/dev/null 2>&1 || {start}"],
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.stopped = True
        subprocess.run(self.stop_command, check=True, capture_output=True, timeout=60)

    def start(self):
        if self.stopped and not self.answers():
            subprocess.run(self.start_command, check=False, capture_output=True, timeout=60)
        self.stopped = False
        if self.watchdog and self.watchdog.poll() is None:
            os.killpg(self.watchdog.pid, 15)
            self.watchdog.wait()
        self.watchdog = None


POSTGRES = Service("PostgreSQL", PG_START, PG_STOP, pg_answers, "pg_isready -h 127.0.0.1 -q")
REDIS = Service("Redis", REDIS_START, REDIS_STOP, redis_answers, "redis-cli -h 127.0.0.1 ping | grep -q PONG")


def restart_all():
    for service in (POSTGRES, REDIS):
        try:
            service.start()
        except Exception as error:  # noqa: BLE001 - try the other one all the same
            print(f"could not start {service.name}: {error}", flush=True)


class Record:
    __slots__ = ("phase", "reader", "path", "status", "error", "elapsed", "at", "retry_after", "our_page", "health")

    def __init__(self, **kwargs):
        for name in self.__slots__:
            setattr(self, name, kwargs.get(name))

    @property
    def answer(self):
        """The status, and for /healthz what it says: '200 db ok cache unavailable'."""
        if self.reader == HEALTH and isinstance(self.health, dict):
            return f"{self.status} db {self.health.get('database')} cache {self.health.get('cache')}"
        return str(self.status or self.error)


class Readers:
    """The light load: four readers in threads, each answer recorded with the phase it fell in."""

    def __init__(self, base, member_browser, cached_paths):
        self.base, self.member, self.cached_paths = base, member_browser, cached_paths
        self.phase = "before"
        self.records = []
        self.lock = threading.Lock()
        self.running = True
        self.threads = [
            threading.Thread(target=self.loop, args=(name,), daemon=True) for name in (CACHED, SEARCHES, MEMBER, HEALTH)
        ]

    def loop(self, name):
        visitor = Browser(self.base, proxied=False)
        n = 0
        while self.running:
            n += 1
            browser = self.member if name == MEMBER else visitor
            if name == SEARCHES:  # a question of its own each time: a search asked before is kept (betterway/search.py)
                path = f"/search/?q={quote(f'leadership {RUN}-{n}')}&page={n % 3 + 1}&fault={RUN}-{n}"
            elif name == HEALTH:
                path = "/healthz"
            else:
                path = self.cached_paths[n % len(self.cached_paths)]
            answer = browser.get(path, timeout=15)
            health = None
            if name == HEALTH:
                try:
                    health = json.loads(answer.body)
                except ValueError:
                    health = None
            record = Record(
                phase=self.phase,
                reader=name,
                path=path,
                status=answer.status,
                error=answer.error,
                elapsed=answer.elapsed,
                at=time.monotonic(),
                retry_after=answer.header("retry-after"),
                our_page=answer.status == 503 and "unavailable" in answer.body.lower(),
                health=health,
            )
            with self.lock:
                self.records.append(record)
            time.sleep(0.25 if name == HEALTH else 0.15)

    def start(self):
        for thread in self.threads:
            thread.start()

    def stop(self):
        self.running = False
        for thread in self.threads:
            thread.join(timeout=20)

    def in_phase(self, phase):
        with self.lock:
            return [r for r in self.records if r.phase == phase]

    def latest(self):
        """{reader: its latest record}."""
        with self.lock:
            return {r.reader: r for r in self.records}


def served(record):
    if record.reader == HEALTH:
        return record.status == 200 and record.health == {"database": "ok", "cache": "ok"}
    return record.status == 200


def served_again(records):
    """When every reader was served again: the latest, over the readers, of the first answer of each one's
    closing run of good answers (None if a reader does not end on one)."""
    since = {}
    for r in records:
        if served(r):
            since.setdefault(r.reader, r.at)
        else:
            since.pop(r.reader, None)
    names = {r.reader for r in records}
    return max(since.values()) if since and set(since) == names else None


def comment_form(browser, slug):
    """The comment form of a note's page, as a member opened it (None if the page did not answer)."""
    path = f"/notes/{slug}/"
    page = browser.get(path)
    return find_form(page.body, f"{path}comments/") if page.status == 200 else None


def post_comments(browser, form, prefix, count):
    """Post `count` comments with bodies PREFIX-1 … through `form`: [(body, status)]."""
    results = []
    for i in range(1, count + 1):
        body = f"{prefix}-{i}: written around a fault."
        answer = browser.post(form.action, [(k, v) for k, v in form.fields() if k != "body"] + [("body", body)])
        results.append((body, answer.status))
    return results


def summarise(checks, readers, phase, allowed, what):
    """Print a phase's answers by reader; expect each in `allowed` ({reader or '*': answers})."""
    records = readers.in_phase(phase)
    by_reader = defaultdict(Counter)
    for r in records:
        by_reader[r.reader][r.answer] += 1
    latencies = [r.elapsed for r in records if r.status]
    print(
        f"  {phase}: {len(records)} requests, p50 {ms(percentile(latencies, 50))} ms,"
        f" p99 {ms(percentile(latencies, 99))} ms"
    )
    for name, counter in sorted(by_reader.items()):
        print(f"      {name}: " + ", ".join(f"{answer} ×{n}" for answer, n in counter.most_common()))
    wrong = [r for r in records if r.answer not in allowed.get(r.reader, allowed.get("*", ()))]
    detail = "; ".join(f"{r.reader} {r.path} → {r.answer}" for r in wrong[:4])
    checks.expect(records and not wrong, f"{phase}: {what} ({len(wrong)} otherwise{': ' + detail if detail else ''})")
    return Counter(r.status for r in records if r.reader != HEALTH)


def sweep(base, static_path):
    """One request to each kind of address a visitor may ask for: {label: (status, retry_after, our_page)}."""
    visitor = Browser(base)
    visitor.get("/accounts/login/")  # a CSRF cookie and token, for the log-in posted below
    token = visitor.cookies.get("csrftoken", "")
    asks = [
        ("GET /accounts/login/", "GET", "/accounts/login/"),
        ("GET /accounts/signup/", "GET", "/accounts/signup/"),
        ("POST /accounts/login/", "POST", "/accounts/login/"),
        ("GET /admin/", "GET", "/admin/"),
        ("GET /sitemap.xml", "GET", "/sitemap.xml"),
        ("GET /robots.txt", "GET", "/robots.txt"),
        ("GET /notes/feed.atom", "GET", "/notes/feed.atom"),
        ("GET /calendar.ics", "GET", "/calendar.ics"),
        ("GET /search/?q=trust", "GET", "/search/?q=trust"),
        ("GET a missing page", "GET", "/no-such-page/"),
        ("GET a missing note", "GET", "/notes/no-such-note/"),
        ("GET a static file", "GET", static_path),
        ("GET /favicon.ico", "GET", "/favicon.ico"),
    ]
    found = {}
    for label, method, path in asks:
        if method == "POST":
            fields = [("csrfmiddlewaretoken", token), ("login", DEMO["member"]), ("password", "wrong-password")]
            answer = visitor.post(path, fields)
        else:
            answer = visitor.get(path)
        our_page = answer.status == 503 and "unavailable" in answer.body.lower()
        found[label] = (answer.status or answer.error, answer.header("retry-after"), our_page)
    return found


def judge_sweep(checks, phase, baseline, now, allowed_extra):
    """Expect each address to answer as at baseline, or one of `allowed_extra` (503: the site's own page with
    Retry-After); print the table."""
    wrong = []
    for label, (status, retry_after, our_page) in now.items():
        before = baseline[label][0]
        good = status == before or status in allowed_extra
        if status == 503:
            good = good and retry_after and our_page
        if not good:
            wrong.append(f"{label}: {status} (before {before})")
    shown = ", ".join(f"{label} {before[0]}→{now[label][0]}" for label, before in baseline.items())
    print(f"  {phase}, one request to each kind of address (before→now): {shown}")
    allowed = " or ".join(["as before", *map(str, allowed_extra)])
    checks.expect(not wrong, f"{phase}: every kind of address answers {allowed} ({'; '.join(wrong) or 'all'})")


def stored_counts(written):
    rows = query(
        "SELECT body, count(*) FROM discussion_comment WHERE body = ANY(%s) GROUP BY body", ([b for b, _s in written],)
    )
    found = dict(rows)
    return [found.get(body, 0) for body, _s in written]


def database_outage(checks, site, readers, browsers, forms, figures, baseline, static_path):
    log(f"stopping PostgreSQL {PG_CLUSTER}/main for {DB_DOWN} s (a watchdog starts it after {WATCHDOG} s)")
    readers.phase = "db-stopping"
    stopped_at = time.monotonic()
    during = []
    try:
        POSTGRES.stop()
        readers.phase = "db-down"
        time.sleep(2)
        during = post_comments(browsers["down"], forms["down"], f"rel-fault-{RUN}-down", 2)
        codes = [s for _b, s in during]
        checks.expect(set(codes) == {503}, f"db-down: comments posted from a page opened before answer {codes}")
        judge_sweep(checks, "db-down", baseline, sweep(site.base, static_path), (503,))
        time.sleep(max(0.0, DB_DOWN - (time.monotonic() - stopped_at)))
    finally:
        readers.phase = "db-recovering"
        start_issued = time.monotonic()
        POSTGRES.start()
    started_at = time.monotonic()
    figures["db down"] = start_issued - stopped_at
    log(
        f"PostgreSQL started again after {start_issued - stopped_at:.1f} s down"
        f" (pg_ctlcluster start took {started_at - start_issued:.1f} s)"
    )
    while time.monotonic() - started_at < RECOVER + 15:
        latest = readers.latest()
        if len(latest) == 4 and all(served(r) and r.at > started_at for r in latest.values()):
            break
        time.sleep(0.2)
    back = served_again(readers.in_phase("db-recovering"))
    figures["back"] = None if back is None else back - start_issued
    checks.expect(
        back is not None and back - start_issued <= RECOVER,
        f"db-recovering: every reader served again (and /healthz ok) {ms(figures['back'])} ms after PostgreSQL"
        f" was started (within {RECOVER} s), with no restart of gunicorn",
    )
    return during


def cache_outage(checks, site, readers, browsers, forms, figures, baseline, static_path):
    log(f"stopping Redis for {CACHE_DOWN} s (a watchdog starts it after {WATCHDOG} s)")
    readers.phase = "cache-down"
    stopped_at = time.monotonic()
    written = []
    try:
        REDIS.stop()
        time.sleep(1)
        login = Browser(site.base).login(DEMO["member"])
        figures["cache login"] = login.status
        checks.expect(login.status == 302, f"cache-down: a log-in through the form answers {login.status}")
        written = post_comments(browsers["cache"], forms["cache"], f"rel-fault-{RUN}-cache", WRITES)
        codes = [s for _b, s in written]
        checks.expect(set(codes) == {302}, f"cache-down: {WRITES} comments posted {codes}")
        judge_sweep(checks, "cache-down", baseline, sweep(site.base, static_path), ())
        time.sleep(max(0.0, CACHE_DOWN - (time.monotonic() - stopped_at)))
    finally:
        readers.phase = "cache-back"
        REDIS.start()
    started_at = time.monotonic()
    figures["cache down"] = started_at - stopped_at
    while time.monotonic() - started_at < 15:
        latest = readers.latest()
        if len(latest) == 4 and all(served(r) and r.at > started_at for r in latest.values()):
            break
        time.sleep(0.2)
    back = served_again(readers.in_phase("cache-back"))
    figures["cache back"] = None if back is None else back - started_at
    checks.expect(back is not None, f"cache-back: /healthz says the cache is ok {ms(figures['cache back'])} ms after")
    return written


def main():
    checks = Checks("fault")
    ensure_prepared()
    if not pg_answers() or not redis_answers():
        checks.expect(False, "PostgreSQL and Redis answer before the check")
        return checks.result()
    facts = dbtools("facts")
    slug = facts["fault_note"]
    site = Site("fault", workers=2)
    on_termination(restart_all)
    figures = {}
    accounts = {phase: member_email(n) for n, phase in enumerate(("before", "down", "after", "cache", "reader"), 1)}
    try:
        site.start()
        made = logged_in(site.base, list(accounts.values()))
        browsers = {phase: made[email] for phase, email in accounts.items()}
        forms = {phase: comment_form(browsers[phase], slug) for phase in ("before", "down", "after", "cache")}
        if None in forms.values():
            checks.expect(False, f"the members see the comment form on /notes/{slug}/")
            return checks.result()
        home = Browser(site.base).get("/").body
        static_path = re.search(r'href="(/static/[^"]+\.css)"', home).group(1)
        baseline = sweep(site.base, static_path)
        cached = ["/", "/notes/", f"/notes/{slug}/", "/insights/", facts["principles"][0], "/topics/"]
        readers = Readers(site.base, browsers["reader"], cached)
        readers.start()
        time.sleep(2)
        before = post_comments(browsers["before"], forms["before"], f"rel-fault-{RUN}-before", WRITES)
        checks.expect({s for _b, s in before} == {302}, f"before: {WRITES} comments posted {[s for _b, s in before]}")
        for path in cached:  # in the page cache again after those comments (each changes every page)
            Browser(site.base, proxied=False).get(path)
        time.sleep(2)

        during = database_outage(checks, site, readers, browsers, forms, figures, baseline, static_path)
        readers.phase = "db-after"
        after = post_comments(browsers["after"], forms["after"], f"rel-fault-{RUN}-after", WRITES)
        checks.expect({s for _b, s in after} == {302}, f"db-after: {WRITES} comments posted {[s for _b, s in after]}")
        time.sleep(3)

        in_cache_outage = cache_outage(checks, site, readers, browsers, forms, figures, baseline, static_path)
        time.sleep(2)
        readers.stop()
    finally:
        restart_all()
        site.stop()

    print("  what the readers got, phase by phase:")
    ok = {"*": ("200",), HEALTH: ("200 db ok cache ok",)}
    summarise(checks, readers, "before", ok, "every answer 200, /healthz ok")
    summarise(
        checks,
        readers,
        "db-stopping",
        {"*": ("200", "503"), HEALTH: ("200 db ok cache ok", "503 db unavailable cache ok")},
        "200 or 503",
    )
    down = summarise(
        checks,
        readers,
        "db-down",
        {CACHED: ("200", "503"), "*": ("503",), HEALTH: ("503 db unavailable cache ok",)},
        "503 (a visitor's page in the cache may be 200), /healthz 503 database unavailable",
    )
    unavailable = [r for r in readers.in_phase("db-down") if r.status == 503 and r.reader != HEALTH]
    good = sum(1 for r in unavailable if r.retry_after and r.our_page)
    checks.expect(
        unavailable and good == len(unavailable),
        f"db-down: the site's own 503 page with Retry-After ({good} of {len(unavailable)})",
    )
    summarise(
        checks,
        readers,
        "db-recovering",
        {"*": ("200", "503"), HEALTH: ("200 db ok cache ok", "503 db unavailable cache ok")},
        "200 or 503 while PostgreSQL starts",
    )
    summarise(checks, readers, "db-after", ok, "every answer 200, /healthz ok")
    cache_codes = summarise(
        checks,
        readers,
        "cache-down",
        {"*": ("200",), HEALTH: ("200 db ok cache unavailable",)},
        "every answer 200 (made afresh), /healthz 200 cache unavailable",
    )
    summarise(
        checks,
        readers,
        "cache-back",
        {"*": ("200",), HEALTH: ("200 db ok cache ok", "200 db ok cache unavailable")},
        "every answer 200",
    )

    for label, written, expect in (
        ("before", before, 1),
        ("during the database outage", during, 0),
        ("after", after, 1),
        ("while Redis was down", in_cache_outage, 1),
    ):
        counts = stored_counts(written)
        checks.expect(counts and set(counts) == {expect}, f"comments posted {label}: stored {counts} (each {expect})")

    def database_away(entry):  # the 503s of the outage are logged, as Django logs every 5xx
        if entry["message"] == "Service Unavailable: /healthz":
            return entry["exception"] is None
        return entry["message"].startswith("Service Unavailable") and entry["exception"] in (
            "psycopg.OperationalError",
            "django.db.utils.OperationalError",
            "django.db.utils.InterfaceError",
            "psycopg.InterfaceError",
        )

    report_errors(checks, site, database_away, "no error in the gunicorn log but the database's absence (503)")

    checks.figure(
        f"db down {figures['db down']:.0f} s: {statuses(down)};"
        f" served again {ms(figures['back'])} ms after the start command"
    )
    checks.figure(f"redis down {figures['cache down']:.0f} s: {statuses(cache_codes)}")
    checks.figure(f"writes stored once: {len(before) + len(after) + len(in_cache_outage)}, during outage 0")
    return checks.result()


if __name__ == "__main__":
    sys.exit(main())
