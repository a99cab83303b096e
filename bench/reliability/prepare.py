"""Make the checks' database afresh: `python -m bench.reliability.prepare`.

Drops and creates RELIABILITY_DB (betterway_reliability), migrates it, loads the network's content
(`load_content`), adds a small synthetic archive (`make_scale_data --meetings 200`: members-only and cell-only
notes, people, cells, comments), the demo accounts (`create_demo_accounts`, which runs only with DEBUG on: it is
given DEBUG=1 for that one command) and the checks' own accounts (`dbtools accounts`), then collects the static
files into RELIABILITY_STATIC (bench/reliability/settings.py).
"""

import sys
import time

from .common import DB, STATIC, Checks, database_exists, dbtools, log, manage, psql, recreate_database

MEETINGS = 200


def prepare():
    started = time.monotonic()
    log(f"database {DB}: dropped and made afresh")
    recreate_database(DB)
    manage("migrate", "--noinput", "-v0")
    manage("load_content", "-v0")
    manage("make_scale_data", "--meetings", str(MEETINGS), "--allow-real-content", "-v0")
    manage("create_demo_accounts", env_extra={"DEBUG": "1"}, capture=True)
    made = dbtools("accounts")
    psql("VACUUM ANALYZE", DB)
    STATIC.mkdir(parents=True, exist_ok=True)
    manage("collectstatic", "--noinput", "-v0")
    psql(
        "CREATE TABLE reliability_marker (made_at timestamptz DEFAULT now());"
        " INSERT INTO reliability_marker DEFAULT VALUES",
        DB,
    )
    counts = psql(
        "SELECT (SELECT count(*) FROM cells_meeting) || ' meetings, ' || (SELECT count(*) FROM insights_insight)"
        " || ' insights, ' || (SELECT count(*) FROM discussion_comment) || ' comments, '"
        " || (SELECT count(*) FROM auth_user) || ' accounts'",
        DB,
    )
    log(f"database {DB}: {counts} ({len(made['members'])} check members) in {time.monotonic() - started:.0f} s")
    return counts


def main():
    checks = Checks("prepare")
    try:
        counts = prepare()
    except Exception as error:  # noqa: BLE001 - reported as the check's failure
        checks.expect(False, f"the database is made: {error}")
    else:
        checks.expect(database_exists(), f"database {DB} made")
        checks.figure(counts)
    return checks.result()


if __name__ == "__main__":
    sys.exit(main())
