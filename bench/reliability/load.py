"""Load: visitors and members at once for DURATION seconds (60) on CONNECTIONS connections (32), and not one error.

- Visitors (wrk, bench/reliability/load.lua, CONNECTIONS - MEMBER_THREADS connections) read the home page, the
  notes list and its second page, notes, insights, principles, people, topics, cells, the archive, the questions
  and search with varied words (phrases, "or", minus), each path in turn.
- Members (MEMBER_THREADS Python threads, each its own session: member@, cellmember@ and convenor@example.org,
  logged in through the allauth form) read pages (members-only notes too), search, post comments (at most one
  every COMMENT_EVERY seconds an account, inside the site's limit of 10 a minute), and the convenors edit a
  note of their cell through the site's form (its CSRF token and version token), each its own note.

Passes when every answer is the expected one (200 for a page, 302 after a login, a comment or a saved note), the
gunicorn log has no error, each comment posted is stored once and shown on its page, and each note edited keeps
its last edit. Prints requests, req/s, statuses and p50/p99 for visitors and members.
"""

import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

from .common import (
    DEMO,
    OUT,
    RUN,
    Browser,
    Checks,
    Site,
    Tally,
    dbtools,
    ensure_prepared,
    find_form,
    log,
    meeting_state,
    ms,
    on_termination,
    percentile,
    query,
    report_errors,
    statuses,
)

DURATION = int(os.environ.get("RELIABILITY_LOAD_SECONDS", "60"))
CONNECTIONS = int(os.environ.get("RELIABILITY_LOAD_CONNECTIONS", "32"))
MEMBER_THREADS = 8
WORKERS = 4
COMMENT_EVERY = 7.0  # seconds between two comments of one account: 8-9 a minute, under the site's 10
EDIT_EVERY = 10.0  # seconds between two edits by one convenor thread
SEARCHES = [
    "leadership",
    "collaboration",
    "trust",
    "kindness or trust",
    '"shared leadership"',
    "leadership -covid",
    "place",
    "funders",
    "community",
    "systems",
    "commissioning",
    "power",
    "relationships",
    "local",
    "young people",
    "health",
    "leaders",
    "volunteering",
    "national or local",
    "participatory budgeting",
]
ACCOUNTS = ["member", "cellmember", "convenor"]


def visitor_paths(facts):
    paths = ["/", "/notes/", "/notes/?page=2", "/insights/", "/principles/", "/topics/", "/cells/", "/people/"]
    paths += ["/archive/", "/questions/", "/about/"]
    paths += [f"/notes/{slug}/" for slug in facts["public_notes"]]
    paths += facts["insights"] + facts["principles"] + facts["people"] + facts["topics"] + facts["cells"]
    paths += [f"/search/?q={quote(word)}" for word in SEARCHES]
    paths += [f"/search/?q={quote(word)}&page=2" for word in SEARCHES[:3]]
    return paths


def member_paths(facts):
    paths = ["/", "/notes/", "/insights/", "/topics/", "/account/notifications/"]
    paths += [f"/notes/{slug}/" for slug in facts["public_notes"][:15] + facts["members_notes"]]
    paths += facts["insights"][:8] + facts["principles"] + facts["people"][:10] + facts["cells"][:5]
    return paths


class Member(threading.Thread):
    """One member's session for the duration of the load."""

    comment_at = {}  # account -> the earliest time its next comment may be posted
    lock = threading.Lock()

    def __init__(self, number, base, facts, tally, deadline, edit_note):
        super().__init__(daemon=True)
        self.number, self.base, self.facts, self.tally, self.deadline = number, base, facts, tally, deadline
        self.account = ACCOUNTS[number % len(ACCOUNTS)]
        self.edit_note = edit_note  # the note this convenor thread edits (None: not a convenor)
        self.random = random.Random(number)
        self.paths = member_paths(facts)
        self.posted = []  # (body, note slug) of comments the site said it posted
        self.not_shown = []  # comments posted but not on their page afterwards
        self.edits = 0
        self.last_edit = None
        self.next_edit = 0.0
        self.failure = None

    def call(self, label, method, path, fields=None, expected=(200,)):
        browser = self.browser
        response = browser.get(path) if method == "GET" else browser.post(path, fields)
        self.tally.add(label, method, path, response, expected)
        return response

    def run(self):
        try:
            self.browser = Browser(self.base)
            self.login()
            while time.monotonic() < self.deadline:
                self.step()
        except Exception as error:  # noqa: BLE001 - a crash of the client is reported as a failure
            self.failure = f"{self.account} thread {self.number}: {type(error).__name__}: {error}"

    def login(self):
        response = self.browser.login(DEMO[self.account])
        self.tally.add("login", "POST", "/accounts/login/", response, (302,))
        if response.status != 302 or "sessionid" not in self.browser.cookies:
            raise RuntimeError(f"could not log in as {DEMO[self.account]} ({response.status})")

    def step(self):
        now = time.monotonic()
        if self.edit_note and now >= self.next_edit:
            self.next_edit = now + EDIT_EVERY
            return self.edit()
        with Member.lock:
            may_comment = now >= Member.comment_at.get(self.account, 0)
            if may_comment:
                Member.comment_at[self.account] = now + COMMENT_EVERY
        if may_comment:
            return self.comment()
        if self.random.random() < 0.35:
            word = self.random.choice(SEARCHES)
            return self.call("member search", "GET", f"/search/?q={quote(word)}")
        return self.call("member page", "GET", self.random.choice(self.paths))

    def comment(self):
        slug = self.random.choice(self.facts["public_notes"][:15])
        page = self.call("member page", "GET", f"/notes/{slug}/")
        form = find_form(page.body, f"/notes/{slug}/comments/") if page.status == 200 else None
        if form is None:
            self.tally.unexpected.append(("comment form", "GET", f"/notes/{slug}/", page.status, "no comment form"))
            return
        body = f"rel-load-{RUN}-{self.account}-{self.number}-{len(self.posted) + 1}: a comment under load."
        fields = [(k, v) for k, v in form.fields() if k != "body"] + [("body", body)]
        answer = self.call("comment", "POST", form.action, fields, expected=(302,))
        if answer.status == 302:
            self.posted.append((body, slug))
            shown = self.call("member page", "GET", answer.header("location").split("#")[0])
            if body not in shown.body:
                self.not_shown.append(body)

    def edit(self):
        path = f"/notes/{self.edit_note}/edit/"
        page = self.call("edit form", "GET", path)
        form = find_form(page.body, path) if page.status == 200 else None
        if form is None or form.get("summary") is None:
            self.tally.unexpected.append(("edit form", "GET", path, page.status, "no edit form"))
            return
        marker = f"rel-load-{RUN}-edit-{self.number}-{self.edits + 1}"
        summary = re.sub(r"\n*- rel-load-\S+\s*$", "", form.get("summary"))
        form.set("summary", f"{summary}\n\n- {marker}")
        answer = self.call("note saved", "POST", path, form.fields(), expected=(302,))
        if answer.status == 302:
            self.edits += 1
            self.last_edit = marker


def run_wrk(base, paths, connections, seconds):
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as file:
        file.write("\n".join(paths) + "\n")
    env = dict(os.environ, RELIABILITY_PATHS=file.name)
    script = str(Path(__file__).with_name("load.lua"))
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", script, base]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False, timeout=seconds + 60)
    os.unlink(file.name)
    (OUT / "load-wrk.txt").write_text(done.stdout + done.stderr)
    found = re.search(r"^WRK (.*)$", done.stdout, re.M)
    if not found:
        raise RuntimeError(f"wrk gave no result: {done.stdout[-500:]} {done.stderr[-500:]}")
    figures = {k: int(v) for k, v in (pair.split("=") for pair in found.group(1).split())}
    codes = Counter({int(s): int(n) for s, n in re.findall(r"^WRKSTATUS (\d+) (\d+)$", done.stdout, re.M)})
    return figures, codes


def access_log_problems(site):
    """(Counter of statuses, [request lines that did not answer 2xx/3xx]) of the visitors, from gunicorn's access
    log (the project's gunicorn.conf.py logs every request)."""
    pattern = re.compile(r'"(GET|POST|HEAD) (\S+) HTTP/[\d.]+" (\d{3}) .*"betterway-reliability-wrk"$')
    codes, bad = Counter(), []
    for line in site.log_text().splitlines():
        found = pattern.search(line)
        if found:
            codes[int(found.group(3))] += 1
            if not found.group(3).startswith(("2", "3")) and len(bad) < 20:
                bad.append(f"{found.group(3)} {found.group(1)} {found.group(2)}")
    return codes, bad


def main():
    checks = Checks("load")
    ensure_prepared()
    facts = dbtools("facts")
    site = Site("load", workers=WORKERS)
    on_termination(lambda: None)  # SIGTERM/SIGINT: gunicorn is stopped all the same
    try:
        site.start()
        paths = visitor_paths(facts)
        probe = Browser(site.base, proxied=False)
        wrong = [(path, r.status) for path in paths if (r := probe.get(path)).status != 200]
        checks.expect(not wrong, f"{len(paths)} visitor paths answer 200 before the load {wrong or ''}")
        paths = [path for path in paths if path not in dict(wrong)]

        visitors = CONNECTIONS - MEMBER_THREADS
        log(f"load: {DURATION} s, {visitors} visitor connections (wrk, {len(paths)} paths) + {MEMBER_THREADS} members")
        tally = Tally()
        deadline = time.monotonic() + DURATION
        demo_notes = iter(facts["demo_notes"][:2])
        members = []
        for number in range(MEMBER_THREADS):
            note = next(demo_notes, None) if ACCOUNTS[number % len(ACCOUNTS)] == "convenor" else None
            members.append(Member(number, site.base, facts, tally, deadline, note))
        started = time.monotonic()
        for member in members:
            member.start()
        wrk_figures, wrk_codes = run_wrk(site.base, paths, visitors, DURATION)
        for member in members:
            member.join(timeout=40)
        elapsed = time.monotonic() - started
    finally:
        site.stop()

    # visitors
    seconds = wrk_figures["duration_us"] / 1e6
    errors = sum(wrk_figures[k] for k in ("connect", "read", "write", "timeout"))
    print(
        f"  visitors (wrk, {visitors} connections): {wrk_figures['requests']} requests, "
        f"{wrk_figures['requests'] / seconds:.1f} req/s, statuses {statuses(wrk_codes)}, socket errors {errors}, "
        f"p50 {wrk_figures['p50_us'] / 1000:.1f} ms, p99 {wrk_figures['p99_us'] / 1000:.1f} ms, "
        f"max {wrk_figures['max_us'] / 1000:.0f} ms"
    )
    log_codes, bad = access_log_problems(site)
    checks.expect(
        set(wrk_codes) <= {200} and errors == 0,
        f"visitors: every answer 200, no socket error ({statuses(wrk_codes)}; errors {errors})",
    )
    if bad:
        print("    from the access log: " + "; ".join(bad))

    # members
    lat = tally.latencies
    print(
        f"  members ({MEMBER_THREADS} sessions): {tally.count} requests, {tally.count / elapsed:.1f} req/s, "
        f"statuses {statuses(tally.by_status)}, p50 {ms(percentile(lat, 50))} ms, p99 {ms(percentile(lat, 99))} ms, "
        f"max {ms(max(lat) if lat else None)} ms"
    )
    crashed = [m.failure for m in members if m.failure]
    checks.expect(not crashed, f"every member's session ran to the end {crashed or ''}")
    checks.expect(
        not tally.unexpected,
        f"members: every answer as expected ({len(tally.unexpected)} unexpected{': ' if tally.unexpected else ''}"
        + "; ".join(f"{s or e} {m} {p} ({label})" for label, m, p, s, e in tally.unexpected[:10])
        + ")",
    )

    # what the members wrote
    posted = [body for m in members for body, _slug in m.posted]
    stored = dict(
        query("SELECT body, count(*) FROM discussion_comment WHERE body LIKE %s GROUP BY body", (f"rel-load-{RUN}-%",))
    )
    once = sum(1 for body in posted if stored.get(body) == 1)
    checks.expect(
        once == len(posted) and len(stored) == len(posted),
        f"comments: {len(posted)} posted, {once} stored exactly once, {len(stored)} distinct in the database",
    )
    not_shown = [body for m in members for body in m.not_shown]
    checks.expect(not not_shown, f"each comment shown on its page after posting ({len(not_shown)} missing)")
    edits = 0
    for member in members:
        if member.edit_note:
            edits += member.edits
            summary = meeting_state(member.edit_note)["summary"]
            checks.expect(
                member.edits > 0 and member.last_edit in summary,
                f"convenor edits of {member.edit_note}: {member.edits} saved, the last one is the stored text",
            )
    report_errors(checks, site)

    total = wrk_figures["requests"] + tally.count
    checks.figure(
        f"{total} requests in {DURATION} s ({total / seconds:.0f} req/s); visitors {statuses(wrk_codes)} "
        f"p50 {wrk_figures['p50_us'] / 1000:.1f} ms p99 {wrk_figures['p99_us'] / 1000:.1f} ms; members "
        f"{statuses(tally.by_status)} p50 {ms(percentile(lat, 50))} ms p99 {ms(percentile(lat, 99))} ms; "
        f"{len(posted)} comments, {edits} edits"
    )
    return checks.result()


if __name__ == "__main__":
    sys.exit(main())
