"""Backup: a dump of the whole database, restored into an empty one, serves the same site.

1. `pg_dump --format=custom` of RELIABILITY_DB (as it stands after the other checks: their comments, edits and
   versions included), restored with `pg_restore --exit-on-error --no-owner` into an empty database
   (RELIABILITY_DB_restored, dropped and made afresh). Every table holds the same number of rows in both.
2. Two gunicorns, one on each database (each with its own cache key prefix, so neither answers from the other's
   page cache), compared page by page: every URL in /sitemap.xml, the sitemap itself, robots.txt, the feeds and
   the calendar, as a visitor; and MEMBER_PAGES as each kind of member (member, cell member, convenor, staff, a
   member of a cell with cell-only notes), each logged in on both (a session made in each database). Same status,
   same Location, and the same HTML once what may differ is blanked: the CSRF token values, the server's own
   address (the two listen on different ports), the calendar's DTSTAMP (the time it was made).
3. The restored database takes writes: a comment posted on it is stored (its sequences were restored too).
"""

import difflib
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from urllib.parse import urlsplit

from .common import (
    DB,
    DEMO,
    OUT,
    PG,
    RUN,
    Browser,
    Checks,
    Site,
    db_url,
    dbtools,
    ensure_prepared,
    find_form,
    log,
    logged_in,
    on_termination,
    query,
    recreate_database,
    report_errors,
)

RESTORED = f"{DB}_restored"
THREADS = 4
VISITOR_EXTRAS = ["/sitemap.xml", "/robots.txt", "/notes/feed.atom", "/insights/feed.atom", "/calendar.ics"]


def member_pages(facts):
    """{account: [paths]}: what each kind of member reads that a visitor does not."""
    demo_note = facts["demo_notes"][0]
    common = ["/", "/notes/", "/insights/", "/account/notifications/", "/account/profile/", "/search/?q=leadership"]
    common += [f"/notes/{slug}/" for slug in facts["members_notes"][:3]]
    common += [f"/notes/{facts['comment_note']}/", f"/notes/{demo_note}/", facts["demo_cell"]]
    pages = {
        DEMO["member"]: common,
        DEMO["cellmember"]: common,
        DEMO["convenor"]: [
            *common,
            "/notes/yours/",
            "/notes/new/",
            f"/notes/{demo_note}/edit/",
            f"/notes/{demo_note}/history/",
            f"{facts['demo_cell']}members/",
        ],
        DEMO["staff"]: [*common, "/comments/moderation/", "/bin/", "/notes/yours/", "/insights/new/"],
    }
    if facts["cell_reader"]:
        pages[facts["cell_reader"]] = [*common, *(f"/notes/{slug}/" for slug in facts["cell_notes"][:3])]
    return pages


def normalise(text, site):
    """The page with what may differ between the two servers blanked."""
    text = re.sub(r"(csrfmiddlewaretoken\"? value=\")[^\"]+", r"\1CSRF", text)
    text = re.sub(r"(name=\"csrf[-_]token\" content=\")[^\"]+", r"\1CSRF", text)
    text = re.sub(rf"https?://127\.0\.0\.1:{site.port}", "ORIGIN", text)
    text = re.sub(rf"127\.0\.0\.1:{site.port}", "HOST", text)
    return re.sub(r"^DTSTAMP:\S+", "DTSTAMP:NOW", text, flags=re.M)


def table_counts(db):
    tables = [
        r[0] for r in query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename", db=db)
    ]
    union = " UNION ALL ".join(f"SELECT '{t}', count(*) FROM \"{t}\"" for t in tables)
    return dict(query(union, db=db))


def compare(pairs, original, restored, browsers=None):
    """Fetch each (who, path) from both sites (in THREADS threads): ([(who, path, status_a, status_b, location_a,
    location_b, diff lines)] of those that differ, Counter of the original's statuses)."""
    differing, lock, queue, seen = [], threading.Lock(), list(pairs), Counter()

    def work():
        while True:
            with lock:
                if not queue:
                    return
                who, path = queue.pop()
            a_browser, b_browser = browsers[who] if browsers else (Browser(original.base), Browser(restored.base))
            a = a_browser.get(path, timeout=60)
            b = b_browser.get(path, timeout=60)
            with lock:
                seen[a.status] += 1
                if a.status != 200:
                    seen[f"{a.status} {who} {path}"] += 1
            a_text, b_text = normalise(a.body, original), normalise(b.body, restored)
            a_loc = normalise(a.header("location") or "", original)
            b_loc = normalise(b.header("location") or "", restored)
            if (a.status, a_loc, a_text) != (b.status, b_loc, b_text) or a.status == 0:
                diff = difflib.unified_diff(a_text.splitlines(), b_text.splitlines(), "original", "restored", n=0)
                lines = [line for line in diff if not line.startswith(("---", "+++", "@@"))][:6]
                with lock:
                    differing.append((who, path, a.status or a.error, b.status or b.error, a_loc, b_loc, lines))

    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return differing, seen


def main():  # noqa: PLR0915 - one story, told in order
    checks = Checks("backup")
    ensure_prepared()
    facts = dbtools("facts")
    OUT.mkdir(parents=True, exist_ok=True)
    dump = OUT / f"{DB}.dump"

    started = time.monotonic()
    subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", db_url(DB)], check=True, timeout=300)
    dumped = time.monotonic() - started
    recreate_database(RESTORED)
    started = time.monotonic()
    done = subprocess.run(
        ["pg_restore", "--exit-on-error", "--no-owner", f"--dbname={db_url(RESTORED)}", str(dump)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    restored_s = time.monotonic() - started
    checks.expect(done.returncode == 0, f"pg_restore into {RESTORED} {done.stderr.strip()[:500]}")
    size = dump.stat().st_size
    print(f"  pg_dump {dumped:.1f} s ({size / 1e6:.1f} MB), pg_restore {restored_s:.1f} s ({PG}/{RESTORED})")
    a_counts, b_counts = table_counts(DB), table_counts(RESTORED)
    unequal = {t: (a_counts.get(t), b_counts.get(t)) for t in set(a_counts) | set(b_counts)}
    unequal = {t: pair for t, pair in unequal.items() if pair[0] != pair[1]}
    checks.expect(
        not unequal,
        f"{len(a_counts)} tables, {sum(a_counts.values())} rows: the same count in each {unequal or ''}",
    )

    original = Site("backup-original", DB, workers=2)
    restored = Site("backup-restored", RESTORED, workers=2)
    on_termination(lambda: None)
    try:
        original.start()
        restored.start()
        sitemap = Browser(original.base).get("/sitemap.xml")
        paths = sorted({urlsplit(loc).path + (f"?{urlsplit(loc).query}" if urlsplit(loc).query else "")
                        for loc in re.findall(r"<loc>([^<]+)</loc>", sitemap.body)})  # fmt: skip
        checks.expect(len(paths) > 100, f"/sitemap.xml lists {len(paths)} pages")
        visitor_pairs = [("visitor", path) for path in paths + VISITOR_EXTRAS]
        log(f"comparing {len(visitor_pairs)} pages as a visitor")
        started = time.monotonic()
        differing, visitor_codes = compare(visitor_pairs, original, restored)
        checks.expect(set(visitor_codes) == {200}, f"as a visitor, every page answers 200 {dict(visitor_codes)}")

        pages = member_pages(facts)
        a_sessions = logged_in(original.base, list(pages), db=DB)
        b_sessions = logged_in(restored.base, list(pages), db=RESTORED)
        browsers = {who: (a_sessions[who], b_sessions[who]) for who in pages}
        for a, b in browsers.values():  # each with a CSRF cookie of its own, as a browser has after its first page
            a.get("/")
            b.get("/")
        member_pairs = [(who, path) for who, paths_ in pages.items() for path in paths_]
        log(f"comparing {len(member_pairs)} pages as {len(pages)} members")
        member_differing, member_codes = compare(member_pairs, original, restored, browsers)
        differing += member_differing
        checks.expect(set(member_codes) == {200}, f"as the members, every page answers 200 {dict(member_codes)}")
        took = time.monotonic() - started
        compared = len(visitor_pairs) + len(member_pairs)
        print(
            f"  {compared} pages compared in {took:.0f} s ({len(visitor_pairs)} as a visitor,"
            f" {len(member_pairs)} as members)"
        )
        for who, path, sa, sb, la, lb, lines in differing[:10]:
            print(f"    differs: {who} {path}: {sa} {la} / {sb} {lb}")
            for line in lines:
                print(f"      {line[:200]}")
        checks.expect(not differing, f"every page the same on the restored database ({len(differing)} differ)")

        # the restored database takes writes
        member = browsers[DEMO["member"]][1]
        path = f"/notes/{facts['public_notes'][0]}/"
        form = find_form(member.get(path).body, f"{path}comments/")
        body = f"rel-restored-{RUN}: written on the restored database."
        answer = member.post(form.action, [(k, v) for k, v in form.fields() if k != "body"] + [("body", body)])
        count = query("SELECT count(*) FROM discussion_comment WHERE body = %s", (body,), db=RESTORED)[0][0]
        checks.expect(
            answer.status == 302 and count == 1,
            f"a comment posted on the restored site: {answer.status}, stored {count}",
        )
    finally:
        original.stop()
        restored.stop()
    report_errors(checks, original, what="no error in the original's gunicorn log")
    report_errors(checks, restored, what="no error in the restored one's gunicorn log")
    checks.figure(
        f"dump {size / 1e6:.1f} MB in {dumped:.1f} s, restore {restored_s:.1f} s; {len(a_counts)} tables same rows; "
        f"{compared} pages compared, {len(differing)} differ"
    )
    return checks.result()


if __name__ == "__main__":
    sys.exit(main())
