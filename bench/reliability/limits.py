"""Limits: the per-account comment limit holds when the posts come at once.

discussion/throttle.py allows an account 10 comments a minute (counted in the cache, Redis, so that it holds
across app servers and workers). Here, as the site runs in production (no limit lifted, 4 workers), each of
ACCOUNTS members sends BURST comments with different texts at the same moment (a barrier), inside one minute of
the clock (the limit counts in fixed minutes: the burst waits rather than straddle two). Passes when exactly 10
of each member's are posted (302) and the rest refused (429), and the database holds exactly those posted.
"""

import sys
import threading
import time
from collections import Counter

from .common import (
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
    on_termination,
    query,
    report_errors,
    statuses,
)

ACCOUNTS = 4
BURST = 20
LIMIT = 10  # discussion/throttle.py LIMITS: 10 a minute


def burst(base, browser, form, prefix):
    barrier, answers, lock = threading.Barrier(BURST), [], threading.Lock()

    def send(i):
        twin = Browser(base)  # one connection each, the same session: many tabs, or a script
        twin.cookies = dict(browser.cookies)
        fields = [(k, v) for k, v in form.fields() if k != "body"] + [("body", f"{prefix}-{i:02d}: one of a burst.")]
        barrier.wait(timeout=60)
        answer = twin.post(form.action, fields)
        with lock:
            answers.append(answer.status)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(BURST)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Counter(answers)


def main():
    checks = Checks("limits")
    ensure_prepared()
    facts = dbtools("facts")
    slug = facts["public_notes"][4]
    site = Site("limits", workers=4)
    on_termination(lambda: None)
    results = []
    try:
        site.start()
        emails = [member_email(n) for n in range(11, 11 + ACCOUNTS)]
        browsers = logged_in(site.base, emails)
        path = f"/notes/{slug}/"
        forms = {email: find_form(browsers[email].get(path).body, f"{path}comments/") for email in emails}
        for email in emails:
            if time.time() % 60 > 50:  # not across two minutes of the clock
                time.sleep(61 - time.time() % 60)
            prefix = f"rel-limit-{RUN}-{email.split('@')[0]}"
            codes = burst(site.base, browsers[email], forms[email], prefix)
            stored = query("SELECT count(*) FROM discussion_comment WHERE body LIKE %s", (f"{prefix}-%",))[0][0]
            results.append((email, codes, stored))
            log(f"{email}: {BURST} comments at once: {statuses(codes)}, {stored} stored")
    finally:
        site.stop()
    for email, codes, stored in results:
        checks.expect(
            codes == Counter({302: LIMIT, 429: BURST - LIMIT}) and stored == LIMIT,
            f"{email}: {LIMIT} of {BURST} sent at once posted, the rest refused with 429 "
            f"(got {statuses(codes)}; {stored} stored)",
        )
    report_errors(checks, site)
    posted = "/".join(str(codes.get(302, 0)) for _e, codes, _s in results)
    checks.figure(f"{ACCOUNTS} members x {BURST} comments at once: {posted} posted (limit {LIMIT} a minute)")
    return checks.result()


if __name__ == "__main__":
    sys.exit(main())
