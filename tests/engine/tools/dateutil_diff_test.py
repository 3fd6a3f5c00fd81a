#!/usr/bin/env python3
"""tend-plan expand against python-dateutil, for the rules libical gets wrong.

libical 3.0 mishandles FREQ=WEEKLY with INTERVAL > 1 or BYSETPOS and
FREQ=DAILY with a negative BYMONTHDAY (see engine/recur/libical_walk.h), so
recurrence_differential_test.cc cannot use it as the reference there.
python-dateutil implements RFC 5545 independently; this runs random rules of
those shapes through both and compares the dates.

Usage: dateutil_diff_test.py PATH/TO/tend-plan [RULES]
Exit status 0 when all agree, 1 otherwise (the first differences printed).
"""
import itertools
import random
import subprocess
import sys
from datetime import datetime, timedelta

from dateutil.rrule import rrulestr

DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def random_rule(rng):
    if rng.random() < 0.2:
        months = sorted(rng.sample(range(1, 13), rng.randint(1, 3)))
        days = sorted({-rng.randint(1, 31) for _ in range(rng.randint(1, 3))})
        parts = ["FREQ=DAILY", "BYMONTHDAY=" + ",".join(map(str, days))]
        if rng.random() < 0.5:
            parts.append("BYMONTH=" + ",".join(map(str, months)))
        return ";".join(parts)
    parts = ["FREQ=WEEKLY", "INTERVAL=%d" % rng.randint(1, 5)]
    byday = rng.sample(DAYS, rng.randint(1, 4))
    parts.append("BYDAY=" + ",".join(byday))
    if rng.random() < 0.2:
        months = sorted(rng.sample(range(1, 13), rng.randint(1, 4)))
        parts.append("BYMONTH=" + ",".join(map(str, months)))
    if rng.random() < 0.4:
        positions = {rng.choice([1, 2, -1, -2, 3]) for _ in range(rng.randint(1, 2))}
        parts.append("BYSETPOS=" + ",".join(map(str, sorted(positions))))
    parts.append("WKST=" + rng.choice(DAYS))
    return ";".join(parts)


def align_to_week_start(rule, dtstart):
    # dateutil cuts DTSTART's week at DTSTART before BYSETPOS picks, while
    # RFC 5545 (and libical for months) picks in the whole period first; a
    # DTSTART on WKST leaves no room for that difference.
    if "BYSETPOS" not in rule or "WKST=" not in rule:
        return dtstart
    wkst = DAYS.index(rule.split("WKST=")[1][:2])
    return dtstart + timedelta(days=(wkst - dtstart.weekday()) % 7)


def dateutil_dates(rule, dtstart, n):
    # dateutil leaves out a DTSTART that does not match the rule; RFC 5545
    # (and Tend) list it first.
    dates = [d for d in itertools.islice(rrulestr(rule, dtstart=dtstart), n + 1)
             if d.year <= 9999]
    if not dates or dates[0] != dtstart:
        dates.insert(0, dtstart)
    return [d.strftime("%Y-%m-%dT%H:%M:%S+00:00") for d in dates[:n]]


def main():
    binary = sys.argv[1]
    rules = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    rng = random.Random(20261126)
    failures = 0
    for _ in range(rules):
        rule = random_rule(rng)
        dtstart = datetime(rng.randint(1995, 2030), rng.randint(1, 12),
                           rng.randint(1, 28), rng.choice([0, 9, 23]), 30)
        dtstart = align_to_week_start(rule, dtstart)
        n = 25
        expected = dateutil_dates(rule, dtstart, n)
        out = subprocess.run(
            [binary, "expand", "--rrule", rule, "--dtstart",
             dtstart.strftime("%Y%m%dT%H%M%S"), "--tz", "UTC", "--count", str(n)],
            capture_output=True, text=True, check=True)
        got = out.stdout.split()
        if got != expected:
            failures += 1
            first = next(i for i in range(max(len(got), len(expected)))
                         if i >= len(got) or i >= len(expected) or got[i] != expected[i])
            print("%s from %s: tend-plan %s, dateutil %s (item %d)" % (
                rule, dtstart.isoformat(), got[first:first + 2],
                expected[first:first + 2], first))
            if failures >= 10:
                break
    print("%d rules, %d differ" % (rules, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
