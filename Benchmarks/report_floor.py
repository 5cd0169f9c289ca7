#!/usr/bin/env python3
"""The floor for (d): one SQL pass over an area-quarter's referral rows that reads every statistical column
the report counts once, with the cheapest aggregate per column, through the same system libsqlite3 and index
(referral_case_area_received) as the report. Prints the fastest of RUNS passes (after one warm-up pass, as the
report is timed warm too).

Usage: report_floor.py DATABASE AREA START END [RUNS]   (START, END: GRDB timestamps, "YYYY-MM-DD HH:MM:SS.SSS" UTC)
"""
import sqlite3, sys, time

path, area, start, end = sys.argv[1:5]
runs = int(sys.argv[5]) if len(sys.argv) > 5 else 3
db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
sql = """SELECT COUNT(*), SUM(consent_statistics), MAX(referrer_role), MAX(setting), MAX(when_ago), SUM(harm_bits),
    SUM(told_before_bits), SUM(wishes_bits), MAX(close_reason), MAX(closed_at), MAX(acknowledged_at), MAX(received_at)
    FROM referral_case WHERE council_area = ? AND received_at >= ? AND received_at < ?"""
plan = " / ".join(row[-1] for row in db.execute("EXPLAIN QUERY PLAN " + sql, (area, start, end)))
best = None
for i in range(runs + 1):
    began = time.perf_counter()
    rows = db.execute(sql, (area, start, end)).fetchone()[0]
    took = time.perf_counter() - began
    if i > 0:
        best = took if best is None else min(best, took)
print(f"FLOOR rows={rows} seconds={best:.3f} plan={plan.replace(' ', '_')}")
