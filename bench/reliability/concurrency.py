"""Concurrency: many writers at once, and nothing lost or doubled.

1. Comments: MEMBERS members (rel-member-01 … -20, verified email addresses; each with a session made in the
   database beforehand, `dbtools sessions`, rather than twenty password hashes at once) post COMMENTS
   comments each on one note, all at once (a barrier starts them together; half post as a browser without
   JavaScript does, expecting 302, half as static/js/comments.js does, X-Requested-With: fetch, expecting 201).
   The site runs with RELIABILITY_LIFT_COMMENT_LIMITS=1 (bench/reliability/settings.py): the per-account limit
   of 10 a minute would refuse 40 of each member's 50. Then, in the database: MEMBERS × COMMENTS comments with
   those bodies, each body exactly once, each with exactly one kept version and one search entry; and the note's
   page says the right count, to a member and to a visitor (the page cache must not keep the old count).
2. The same comment sent twice at once (a double click): DOUBLES members each send one text SENDS times at once:
   exactly one is posted (302), the others refused (409), and the text is stored once.
3. Two convenors (logged in through the site's form) save the same note at once (the meeting form carries its
   edit_version; core/versions.py refuses a stale save), ROUNDS rounds: exactly one save succeeds (302), the
   other gets the page back (200) saying "Someone else saved this note …" with their own text in the form; the
   stored text is the winner's, the note's edit_version went up by one, and its history holds the winner's
   text. Then one round in turn (the second opens before the first saves) and the loser saving again from the
   refusal page, which must succeed.
"""

import re
import sys
import threading
import time
from collections import Counter

from .common import (
    DEMO,
    RUN,
    SECOND_CONVENOR,
    Browser,
    Checks,
    Site,
    dbtools,
    ensure_prepared,
    find_form,
    log,
    logged_in,
    meeting_state,
    member_email,
    ms,
    on_termination,
    percentile,
    query,
    report_errors,
    statuses,
    text_of,
)

MEMBERS = 20
COMMENTS = 50
DOUBLES = 5
SENDS = 3
ROUNDS = 5
STALE_MESSAGE = "Someone else saved this note while you were editing it"


def comment_count(page_html):
    found = re.search(r"data-comment-count>\((\d+)\)", page_html)
    return int(found.group(1)) if found else None


def log_in_all(base, emails):
    browsers, failures = {}, []

    def one(email):
        browser = Browser(base)
        answer = browser.login(email)
        if answer.status == 302 and "sessionid" in browser.cookies:
            browsers[email] = browser
        else:
            failures.append((email, answer.status))

    threads = [threading.Thread(target=one, args=(email,)) for email in emails]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return browsers, failures


def comments_at_once(checks, base, slug):
    emails = [member_email(n) for n in range(1, MEMBERS + 1)]
    browsers = logged_in(base, emails)
    checks.expect(len(browsers) == MEMBERS, f"{len(browsers)} members with a session")
    path = f"/notes/{slug}/"
    before = query(
        "SELECT count(*) FROM discussion_comment c JOIN cells_meeting m ON m.id = c.meeting_id"
        " WHERE m.slug = %s AND c.removed_at IS NULL AND c.hidden_at IS NULL",
        (slug,),
    )[0][0]
    forms = {}
    for email, browser in browsers.items():
        form = find_form(browser.get(path).body, f"{path}comments/")
        if form is not None:
            forms[email] = form
    checks.expect(len(forms) == len(browsers), f"each member sees the comment form on {path}")

    barrier = threading.Barrier(len(forms))
    results = {}  # email -> [(status, elapsed)]
    lock = threading.Lock()

    def post_all(index, email):
        browser, form = browsers[email], forms[email]
        fetch = index % 2 == 1
        headers = {"X-Requested-With": "fetch"} if fetch else {}
        base_fields = [(k, v) for k, v in form.fields() if k != "body"]
        mine = []
        barrier.wait(timeout=60)
        for i in range(1, COMMENTS + 1):
            body = f"rel-conc-{RUN}-{email.split('@')[0]}-{i:02d}: at once, and stored once."
            answer = browser.post(form.action, [*base_fields, ("body", body)], headers=headers)
            mine.append((answer.status, answer.elapsed, fetch))
        with lock:
            results[email] = mine

    threads = [threading.Thread(target=post_all, args=(i, email)) for i, email in enumerate(forms)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = time.monotonic() - started
    answers = [a for mine in results.values() for a in mine]
    codes = Counter(status for status, _e, _f in answers)
    good = sum(1 for status, _e, fetch in answers if status == (201 if fetch else 302))
    latencies = [e for _s, e, _f in answers]
    print(
        f"  {len(answers)} comments posted by {len(forms)} members at once in {took:.1f} s "
        f"({len(answers) / took:.1f}/s): statuses {statuses(codes)}, p50 {ms(percentile(latencies, 50))} ms, "
        f"p99 {ms(percentile(latencies, 99))} ms"
    )
    expected = MEMBERS * COMMENTS
    checks.expect(good == expected, f"{good} of {expected} posts answered as posted (302, or 201 to the script)")

    stored = query(
        "SELECT c.body, count(*), min(c.id) FROM discussion_comment c WHERE c.body LIKE %s GROUP BY c.body",
        (f"rel-conc-{RUN}-%",),
    )
    total = sum(n for _b, n, _i in stored)
    doubled = [b for b, n, _i in stored if n != 1]
    checks.expect(
        total == expected and len(stored) == expected and not doubled,
        f"database: {total} comments, {len(stored)} distinct bodies, {len(doubled)} stored more than once "
        f"(expected {expected}, each once)",
    )
    versions = query(
        "SELECT count(*), count(DISTINCT v.object_id) FROM reversion_version v"
        " JOIN django_content_type t ON t.id = v.content_type_id AND t.app_label = 'discussion' AND t.model = 'comment'"
        " JOIN discussion_comment c ON v.object_id = c.id::text WHERE c.body LIKE %s",
        (f"rel-conc-{RUN}-%",),
    )[0]
    checks.expect(
        tuple(versions) == (expected, expected), f"each comment has one kept version ({versions[0]} versions)"
    )
    entries = query(
        "SELECT count(*) FROM betterway_searchentry e JOIN discussion_comment c ON c.id = e.comment_id"
        " WHERE e.kind = 'comment' AND c.body LIKE %s",
        (f"rel-conc-{RUN}-%",),
    )[0][0]
    checks.expect(entries == expected, f"each comment has one search entry ({entries})")

    now = before + total
    member_page = next(iter(browsers.values())).get(path)
    visitor_page = Browser(base, proxied=False).get(path)
    shown = comment_count(member_page.body), comment_count(visitor_page.body)
    checks.expect(
        shown == (now, now), f"the note's page says {shown[0]} comments to a member, {shown[1]} to a visitor ({now})"
    )
    return browsers, len(answers) / took, codes


def double_clicks(checks, browsers, slug):
    path = f"/notes/{slug}/"
    chosen = list(browsers.items())[:DOUBLES]
    outcomes = {}
    barrier = threading.Barrier(DOUBLES * SENDS)

    def send(email, browser, form, body):
        fields = [(k, v) for k, v in form.fields() if k != "body"] + [("body", body)]
        barrier.wait(timeout=60)
        answer = browser.post(form.action, fields)
        outcomes.setdefault(body, []).append(answer.status)

    threads = []
    for email, browser in chosen:
        form = find_form(browser.get(path).body, f"{path}comments/")
        body = f"rel-double-{RUN}-{email.split('@')[0]}: sent {SENDS} times at once."
        for _ in range(SENDS):
            # each send is its own browser with the same session, as two tabs or a double click are
            twin = Browser(f"http://{browser.host}:{browser.port}")
            twin.cookies = dict(browser.cookies)
            threads.append(threading.Thread(target=send, args=(email, twin, form, body)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sql = "SELECT body, count(*) FROM discussion_comment WHERE body LIKE %s GROUP BY body"
    stored = dict(query(sql, (f"rel-double-{RUN}-%",)))
    codes = Counter(s for answers in outcomes.values() for s in answers)
    posted_once = all(sum(1 for s in answers if s == 302) == 1 for answers in outcomes.values())
    print(f"  double clicks: {DOUBLES} texts × {SENDS} sends at once: statuses {statuses(codes)}")
    checks.expect(
        posted_once and set(codes) <= {302, 409},
        "each text posted once (302) and its copies refused (409)",
    )
    checks.expect(
        len(stored) == DOUBLES and all(n == 1 for n in stored.values()),
        f"each text stored exactly once ({sorted(stored.values())})",
    )
    return codes


def convenors_at_once(checks, base, slug):
    path = f"/notes/{slug}/edit/"
    emails = [DEMO["convenor"], SECOND_CONVENOR]
    browsers, failures = log_in_all(base, emails)
    checks.expect(not failures, f"two convenors of the cell logged in {failures or ''}")
    if failures:
        return None
    pair = [browsers[e] for e in emails]
    tally = Counter()
    rounds_ok = 0

    def open_form(browser):
        page = browser.get(path)
        return find_form(page.body, path) if page.status == 200 else None

    def save(browser, form, text, answers, index, barrier=None):
        form.set("summary", text)
        if barrier:
            barrier.wait(timeout=60)
        answers[index] = browser.post(path, form.fields())

    for round_number in range(1, ROUNDS + 2):
        in_turn = round_number == ROUNDS + 1  # the last round: one after the other
        forms = [open_form(b) for b in pair]
        if None in forms:
            checks.expect(False, f"round {round_number}: both convenors open the edit form")
            return None
        opened = int(forms[0].get("edit_version"))
        base_summary = re.sub(r"\n*- rel-race-\S+.*$", "", forms[0].get("summary"), flags=re.S)
        texts = [f"{base_summary}\n\n- rel-race-{RUN}-round-{round_number}-by-{who}" for who in ("first", "second")]
        answers = [None, None]
        if in_turn:
            save(pair[0], forms[0], texts[0], answers, 0)
            save(pair[1], forms[1], texts[1], answers, 1)
        else:
            barrier = threading.Barrier(2)
            threads = [
                threading.Thread(target=save, args=(pair[i], forms[i], texts[i], answers, i, barrier)) for i in (0, 1)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        codes = [a.status for a in answers]
        tally.update(codes)
        state = meeting_state(slug)
        winners = [i for i in (0, 1) if codes[i] == 302]
        losers = [i for i in (0, 1) if codes[i] != 302]
        ok = len(winners) == 1 and len(losers) == 1
        if ok:
            win, lose = winners[0], losers[0]
            refused = answers[lose]
            back = find_form(refused.body, path)
            ok = (
                refused.status == 200
                and STALE_MESSAGE in text_of(refused.body)
                and back is not None
                and back.get("summary") == texts[lose]
                and state["summary"] == texts[win]
                and state["edit_version"] == opened + 1
                and texts[win] in state["history"]
            )
            detail = f"saved by the {('first', 'second')[win]}, refused for the other with their text back"
            if ok and in_turn:
                again = pair[lose].post(path, back.fields())  # save again, from the refusal page
                state = meeting_state(slug)
                ok = again.status == 302 and state["summary"] == texts[lose]
                ok = ok and texts[lose] in state["history"]
                detail += f"; saved again from the refusal page: {again.status}"
        else:
            detail = f"statuses {codes}"
        rounds_ok += ok
        checks.expect(ok, f"convenors, round {round_number}{' (in turn)' if in_turn else ' (at once)'}: {detail}")
    return rounds_ok, tally


def main():
    checks = Checks("concurrency")
    ensure_prepared()
    facts = dbtools("facts")
    site = Site("concurrency", workers=4, RELIABILITY_LIFT_COMMENT_LIMITS="1")
    on_termination(lambda: None)
    try:
        site.start()
        log(f"comments: {MEMBERS} members × {COMMENTS} comments at once on /notes/{facts['comment_note']}/")
        browsers, rate, codes = comments_at_once(checks, site.base, facts["comment_note"])
        double_codes = double_clicks(checks, browsers, facts["comment_note"])
        race_note = facts["demo_notes"][-1]
        log(f"two convenors saving /notes/{race_note}/edit/ at once, {ROUNDS} rounds and one in turn")
        race = convenors_at_once(checks, site.base, race_note)
    finally:
        site.stop()
    report_errors(checks, site)
    checks.figure(f"{MEMBERS}×{COMMENTS} comments at {rate:.0f}/s ({statuses(codes)})")
    checks.figure(f"double sends {statuses(double_codes)}")
    if race:
        checks.figure(f"convenor races {race[0]}/{ROUNDS + 1} right ({statuses(race[1])})")
    return checks.result()


if __name__ == "__main__":
    sys.exit(main())
