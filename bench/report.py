"""The table of a bench/run: `python bench/report.py OUT` reads the results in OUT and prints Markdown.

Inputs (written by bench/run): peers/results.tsv and site-N<size>/results.tsv (the peers' bench.sh: system, label,
path, bytes, SQL first/steady, then per run req/s, p50, p99, errors), own.tsv (bench/run's own wrk runs: system,
who, label, path, bytes, then per run requests, seconds, p50, p95, p99, max, errors) and sql.tsv (bench/pages.py
count: system, label, who, status, bytes, SQL first, SQL steady, ms of one request alone in process) and
searches-N<size>.tsv (bench/searches.py: who, searches, p50, p95, slowest ms of searches asked cold).

Each page of the site is set beside the floor (the fastest a Django view with the same middleware answers here)
and beside the Wagtail peer's comparable page at its largest size: a note or an insight beside its article page,
search beside its search, a topic beside its tag listing, every other list beside its index.
"""

import csv
import statistics
import sys
from pathlib import Path

WAGTAIL_PAGE = {"note": "detail", "insight": "detail", "search": "search", "topic": "tag", "about": "detail"}
DETAIL_PAGES = {"note", "insight"}  # the rest are listings (3x), search apart
# Measured, set beside Wagtail, but not a target: the about page asks nothing of the archive, so a member's request
# for it is what every member's page costs on this stack before its own queries (session, account, layout).
REFERENCE_PAGES = {"about"}
TARGET_FLOOR = 0.70  # anonymous pages: at least 70 % of the floor's requests per second
TARGET_DETAIL, TARGET_LISTING = 2.0, 3.0  # member pages against Wagtail: 2x, listings 3x
TARGET_SEARCH_P95, TARGET_P99 = 100.0, 100.0  # ms


def read_tsv(path):
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as handle:
        return [row for row in csv.reader(handle, delimiter="\t") if row]


def peers_rows(path):
    """bench.sh results: {(system, label): {rps, p50, p99, errors, bytes, sql}}, averaged over runs."""
    out = {}
    for row in read_tsv(path):
        system, label, page, size, sql = row[:5]
        runs = [row[i : i + 4] for i in range(5, len(row), 4)]
        done = [r for r in runs if float(r[0]) > 0]  # a run in which no request completed has no latency
        out[(system, label)] = {
            "path": page,
            "bytes": size,
            "sql": sql or "n/a",
            "rps": statistics.mean(float(r[0]) for r in runs),
            "p50": statistics.mean(float(r[1]) for r in done) if done else None,
            "p99": statistics.mean(float(r[2]) for r in done) if done else None,
            "p95": None,
            "errors": sum(int(r[3]) for r in runs),
        }
    return out


def own_rows(path):
    """bench/run's own wrk runs: {(system, who, label): {...}}."""
    out = {}
    for row in read_tsv(path):
        system, who, label, page, size = row[:5]
        runs = [row[i : i + 7] for i in range(5, len(row), 7)]
        done = [r for r in runs if int(r[0]) > 0]
        out[(system, who, label)] = {
            "path": page,
            "bytes": size,
            "rps": statistics.mean(int(r[0]) / float(r[1]) for r in runs),
            "p50": statistics.mean(float(r[2]) for r in done) if done else None,
            "p95": statistics.mean(float(r[3]) for r in done) if done else None,
            "p99": statistics.mean(float(r[4]) for r in done) if done else None,
            "errors": sum(int(r[6]) for r in runs),
        }
    return out


def ratio(value, base):
    if value is not None and base == 0 and value > 0:
        return "∞ (peer: none completed)"  # the peer answered no request within the run (Wagtail's search)
    return f"{value / base:.2f}" if value is not None and base else "n/a"


def latency(row, *keys):
    if row is None:
        return "n/a"
    if row["p50"] is None:
        return "none completed"
    return "/".join("n/a" if row[k] is None else f"{row[k]:.0f}" if row[k] >= 10 else f"{row[k]:.1f}" for k in keys)


def main(out):
    out = Path(out)
    peers = peers_rows(out / "peers" / "results.tsv")
    site = {}
    for folder in sorted(out.glob("site-N*")):
        site.update(peers_rows(folder / "results.tsv"))
    own = own_rows(out / "own.tsv")
    counted = {(row[0], row[1], row[2]): row for row in read_tsv(out / "sql.tsv")}

    floor = peers.get(("django_floor", "floor"))
    wagtail_sizes = sorted({int(system.split("_N")[1]) for system, _ in peers if system.startswith("wagtail_N")})
    wagtail_n = wagtail_sizes[-1] if wagtail_sizes else None

    def wagtail(label):
        if wagtail_n is None:
            return None, "n/a"
        name = WAGTAIL_PAGE.get(label, "index")
        return peers.get((f"wagtail_N{wagtail_n}", f"wagtail_{name}")), name

    systems = []
    for key in [*site, *own]:
        system = key[0]
        if system not in systems:
            systems.append(system)
    systems.sort(key=lambda s: int(s.split("_N")[1]))

    print("## The reference servers\n")
    print("| system | page | bytes | SQL first/steady | req/s | p50/p99 ms | errors |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for (system, label), row in peers.items():
        print(
            f"| {system} | {label} `{row['path']}` | {row['bytes']} | {row['sql']} | {row['rps']:.1f} "
            f"| {latency(row, 'p50', 'p99')} | {row['errors']} |"
        )
    if not peers:
        print("| (not measured) | | | | | | |")

    print("\n## The site\n")
    wagtail_label = f"Wagtail N={wagtail_n:,}" if wagtail_n else "Wagtail"
    print(
        "Visitor: anonymous, through the peers' bench.sh (p50/p99) plus bench/run's own run of search (p95). "
        "Member: logged in (a session cookie), bench/run's own wrk runs with the same knobs (p50/p95/p99). "
        f"Ratios: req/s over the floor's and over {wagtail_label}'s comparable page (named in the last column). "
        "SQL: queries of the second request of a page in process (what a warm worker does); ms alone: the time "
        "that request took in process, one at a time (bench/pages.py count).\n"
    )
    print(
        "| page | meetings | SQL visitor/member | ms alone | visitor req/s | p50/p99 ms | × floor | × Wagtail "
        "| member req/s | p50/p95/p99 ms | × Wagtail | Wagtail page | errors |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|")
    checks = {"floor": [], "wagtail": [], "search": [], "p99": [], "reference": []}
    for system in systems:
        size = int(system.split("_N")[1])
        labels = []
        for key in [*site, *own, *counted]:
            label = key[1] if key in counted else key[-1]
            if key[0] == system and label not in labels:
                labels.append(label)
        for label in labels:
            visitor = site.get((system, label)) or own.get((system, "anonymous", label))
            visitor_p95 = own.get((system, "anonymous", label))
            member = own.get((system, "member", label))
            peer, peer_name = wagtail(label)
            alone = [counted.get((system, label, who)) for who in ("visitor", "member")]
            sql = "/".join(row[6] if row else "n/a" for row in alone)
            ms_alone = "/".join(f"{float(row[7]):.0f}" if row else "n/a" for row in alone)
            failed = [
                f"HTTP {row[3]} ({who})"
                for row, who in zip(alone, ("visitor", "member"), strict=True)
                if row and row[3] != "200"
            ]
            path = (visitor or member or {}).get("path", "")
            errors = (visitor["errors"] if visitor else 0) + (member["errors"] if member else 0)
            cells = [f"{label} `{path}`" if path else label, f"{size:,}", sql, ms_alone]
            if failed and not visitor:
                cells += [", ".join(failed) + ": not measured", "", "", ""]
            elif visitor:
                cells += [
                    f"{visitor['rps']:.1f}",
                    latency(visitor, "p50", "p99"),
                    ratio(visitor["rps"], floor and floor["rps"]),
                    ratio(visitor["rps"], peer and peer["rps"]),
                ]
            else:
                cells += ["n/a"] * 4
            if member:
                cells += [
                    f"{member['rps']:.1f}",
                    latency(member, "p50", "p95", "p99"),
                    ratio(member["rps"], peer and peer["rps"]),
                ]
            else:
                cells += ["n/a"] * 3
            cells += [peer_name, str(errors)]
            print("| " + " | ".join(cells) + " |")
            if label in REFERENCE_PAGES:
                if member and peer and peer["rps"]:
                    checks["reference"].append((member["rps"] / peer["rps"], label, size, peer_name))
                continue
            if visitor and floor:
                checks["floor"].append((visitor["rps"] / floor["rps"], label, size))
            if member and peer:
                need = TARGET_DETAIL if label in DETAIL_PAGES or label == "search" else TARGET_LISTING
                times = member["rps"] / peer["rps"] if peer["rps"] else float("inf")  # the peer completed none
                checks["wagtail"].append((times, need, label, size))
            if label == "search":
                for who, measured in (("visitor", visitor_p95), ("member", member)):
                    if measured:  # no request completed: slower than the run
                        checks["search"].append((measured["p95"] or float("inf"), who, size))
            if visitor and label != "search":
                checks["p99"].append((visitor["p99"] or float("inf"), label, size))

    print("\n## The issue's targets\n")
    largest = max((int(s.split("_N")[1]) for s in systems), default=0)
    if checks["floor"]:
        fails = [f"{label} N={size:,} ({r:.2f})" for r, label, size in checks["floor"] if r < TARGET_FLOOR]
        print(
            f"- Visitor pages at ≥ {TARGET_FLOOR:.0%} of the floor: {len(checks['floor']) - len(fails)} of "
            f"{len(checks['floor'])} hold" + (f"; below: {', '.join(fails)}." if fails else ".")
        )
    else:
        print("- Visitor pages against the floor: not measured (no floor in this run).")
    if checks["wagtail"]:
        fails = [
            f"{label} N={size:,} ({r:.2f}, needs {need:.0f}×)" for r, need, label, size in checks["wagtail"] if r < need
        ]
        print(
            f"- Member (uncached) pages at ≥ 2× {wagtail_label}'s comparable page, listings ≥ 3×: "
            f"{len(checks['wagtail']) - len(fails)} of {len(checks['wagtail'])} hold"
            + (f"; below: {', '.join(fails)}." if fails else ".")
        )
    else:
        print("- Member pages against Wagtail: not measured (no Wagtail peer in this run).")
    for times, label, size, peer_name in checks["reference"]:
        print(
            f"- Not a target: a member's {label} page (no query of the archive, the layout alone) at N={size:,} is "
            f"{times:.2f}× {wagtail_label}'s {peer_name} page: what any member page costs here before its own work."
        )
    search = [(p95, who, size) for p95, who, size in checks["search"] if size == largest]
    if search:
        parts = [f"{who} {p95:.0f} ms".replace("inf ms", "none completed") for p95, who, size in search]
        held = all(p95 < TARGET_SEARCH_P95 for p95, _, _ in search)
        note = "" if largest >= 100_000 else f" (measured at {largest:,} meetings only, not 100,000)"
        print(
            f"- Search p95 < {TARGET_SEARCH_P95:.0f} ms at {largest:,} meetings: {', '.join(parts)}: "
            f"{'holds' if held else 'does not hold'}{note}."
        )
    for table in sorted(out.glob("searches-N*.tsv"), key=lambda path: int(path.stem.split("-N")[1])):
        size = int(table.stem.split("-N")[1])
        rows = read_tsv(table)
        parts = [f"{who} p50 {float(p50):.0f} ms, p95 {float(p95):.0f} ms" for who, _, p50, p95, _ in rows]
        held = all(float(p95) < TARGET_SEARCH_P95 for _, _, _, p95, _ in rows)
        print(
            f"- Cold searches at {size:,} meetings ({rows[0][1] if rows else 0} searches, each asked with nothing "
            f"kept, in process: {table.stem}.md): {'; '.join(parts)}: p95 "
            f"{'under' if held else 'not under'} {TARGET_SEARCH_P95:.0f} ms."
        )
    if checks["p99"]:
        fails = [f"{label} N={size:,} ({p99:.0f} ms)" for p99, label, size in checks["p99"] if p99 >= TARGET_P99]
        fails = [fail.replace("(inf ms)", "(none completed)") for fail in fails]
        print(
            f"- Visitor p99 < {TARGET_P99:.0f} ms at the run's connections (the cache's pages; search apart): "
            f"{len(checks['p99']) - len(fails)} of {len(checks['p99'])} hold"
            + (f"; above: {', '.join(fails)}." if fails else ".")
        )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
