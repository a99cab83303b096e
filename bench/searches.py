"""Cold searches: what a reader waits for a search nobody has asked since the archive last changed.

`python -m bench.searches [--repeat R] [--out FILE]`, run from the project folder with the bench's environment
(bench/run runs it for each archive size; DJANGO_SETTINGS_MODULE=bench.settings, DATABASE_URL of the archive).

The bench's wrk run of the search page asks one word again and again, so after the first request it measures
the search kept for the content generation (betterway/search.py keeps what a reader found until anything is
written). On a busy site every comment starts a new generation, so a reader often asks cold. This asks each of
SEARCHES (single words, common and rare, compounds, phrases, `or`, a word left out, filters, a later page,
misspellings and a word found nowhere) in process through the search page, as a visitor and as the bench's
member, with the cache emptied before every request (the site's page and kept-search caches: local memory here,
whatever REDIS_URL says), and prints each search's server time (the median of R asks; PostgreSQL's own buffers
are warm after the first) and, for each reader, p50, p95 and the slowest: the figure behind the issue's "search
p95 under 100 ms at 100,000 meetings" for searches that are not kept.
"""

import argparse
import os
import re
import statistics
import time

SEARCHES = [
    "collaboration",
    "leadership",
    "community",
    "local",
    "power",
    "funding",
    "relationships",
    "kindness",
    "place-based",
    "community-led",
    "well-being",
    '"shared leadership"',
    '"systems change"',
    '"better way"',
    "leaders or funders",
    "collaboration -competition",
    "local national",
    "young people mental health",
    "leadreship",
    "colaboration",
    "xyzzy",
    "collaboration&type=notes",
    "leadership&type=comments",
    "collaboration&page=2",
]


def percentile(values, share):
    """The nearest-rank percentile: the smallest value at least `share` of the values are no greater than."""
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * share // 100) - 1)]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="asks of each search (the median is shown)")
    parser.add_argument("--out", help="also write the table to this file (Markdown)")
    parser.add_argument("--summary", help="and each reader's figures to this one (who, searches, p50, p95, slowest)")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ["REDIS_URL"] = ""  # a cache of this process's own, emptied before each request
    import django

    django.setup()
    from urllib.parse import quote

    from django.core.cache import cache
    from django.test import Client

    from bench.pages import bench_member

    visitor = Client(HTTP_HOST="127.0.0.1")
    member = Client(HTTP_HOST="127.0.0.1")
    member.force_login(bench_member(), backend="django.contrib.auth.backends.ModelBackend")
    readers = {"visitor": visitor, "member": member}

    lines = ["| search | visitor ms | member ms | results (member) |", "|---|---:|---:|---:|"]
    times = {who: [] for who in readers}
    for search in SEARCHES:
        words, _, filters = search.partition("&")
        path = f"/search/?q={quote(words)}" + (f"&{filters}" if filters else "")
        row = [f"`{search}`"]
        for who, client in readers.items():
            asks = []
            for _ in range(args.repeat):
                cache.clear()
                started = time.perf_counter()
                response = client.get(path)
                asks.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{path} answered {response.status_code} for the {who}")
            times[who].append(statistics.median(asks))
            row.append(f"{times[who][-1]:.0f}")
        found = re.search(
            r"More than ([\d,]+) results|([\d,]+) results? for|(Nothing) matches", response.content.decode()
        )
        row.append(("> " + found[1]) if found and found[1] else (found[2] or "0") if found else "–")
        lines.append("| " + " | ".join(row) + " |")
    lines.append("")
    for who, values in times.items():
        lines.append(
            f"{who}: {len(values)} searches, cold, median of {args.repeat} asks each: "
            f"p50 {percentile(values, 50):.0f} ms, p95 {percentile(values, 95):.0f} ms, slowest {max(values):.0f} ms"
        )
    text = "\n".join(lines)
    print(text)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as out:
            out.write(text + "\n")
    if args.summary:
        with open(args.summary, "w", encoding="utf-8") as out:
            for who, values in times.items():
                figures = [percentile(values, 50), percentile(values, 95), max(values)]
                out.write("\t".join([who, str(len(values)), *(f"{value:.1f}" for value in figures)]) + "\n")


if __name__ == "__main__":
    main()
