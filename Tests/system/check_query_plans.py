#!/usr/bin/env python3
"""The plan of every statement `serve` ran during the system tests (RECONCILE_SQL_TRACE), checked on a freshly
migrated database: a full scan of a table that grows with cases or traffic fails, except the few listed below
with their reasons. Prints `ok`/`FAIL` lines like the other system tests.

usage: check_query_plans.py RECONCILE_BINARY TRACE_FILE
"""
import os, re, sqlite3, subprocess, sys, tempfile

# Tables that stay small whatever the traffic: configuration, one row per staff member, per key version, per
# quarter released, per month sampled. Every other table grows with cases or traffic.
SMALL = {"grdb_migrations", "staff_account", "key_state", "audit_head", "council_token", "notification_choice",
         "report_release", "lessons_theme", "offer_round", "records_sample_draw", "case_stage_count", "sqlite_master", "sqlite_schema"}

# Partial indexes that hold only rows still to be worked on, which do not accumulate: a scan of one is bounded.
BOUNDED_PARTIAL_INDEXES = {
    "mail_outbox_due": "mail still waiting to be sent",
    "mail_outbox_claimed": "mail claimed by a sending pass",
    "referral_case_contact_index_v1": "blind indexes left from before index version 2 (none once serve has moved them)",
    "idempotency_key_passphrase_until": "sealed passphrase copies within the replay window",
    "referral_case_unassigned_open": "open cases nobody has yet, read in order and stopped at the desk's limit",
    "referral_case_awaiting_ack": "referrals not yet acknowledged, read in order and stopped at the desk's limit",
}

# (pattern of the statement, why a full scan is right there).
ALLOWED = [
    (r"^PRAGMA ", "pragmas are not queries"),
    (r"FROM pragma_", "schema introspection by GRDB"),
    (r"^SELECT \* FROM sqlite_master|FROM sqlite_master", "schema introspection by GRDB"),
    (r"FROM audit_log.*ORDER BY seq", "verifying the audit chain reads every row, by design (check, readiness detail)"),
]

def explain(db, sql):
    """The plan with every parameter bound to NULL (the plan does not depend on the values)."""
    params = []
    for _ in range(3):
        try:
            return [row[3] for row in db.execute("EXPLAIN QUERY PLAN " + sql, params)]
        except sqlite3.ProgrammingError as error:
            m = re.search(r"uses (\d+)", str(error))
            if not m:
                raise
            params = [None] * int(m.group(1))
    raise sqlite3.Error("could not bind the statement's parameters")

def main():
    binary, trace = sys.argv[1], sys.argv[2]
    statements = sorted({line.strip() for line in open(trace, encoding="utf-8") if line.strip()}) if os.path.exists(trace) else []
    print(f"ok query plans: {len(statements)} distinct statements traced from serve" if len(statements) >= 50
          else f"FAIL query plans: only {len(statements)} statements traced (is RECONCILE_SQL_TRACE reaching serve?)")
    with tempfile.TemporaryDirectory() as work:
        subprocess.run([binary, "migrate", "--data-dir", work], check=True, capture_output=True)
        db = sqlite3.connect(os.path.join(work, "reconcile.sqlite"))
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        growing = tables - SMALL
        scans, unplanned = [], []
        for sql in statements:
            if any(re.search(p, sql) for p, _ in ALLOWED):
                continue
            try:
                plan = explain(db, sql)
            except sqlite3.Error as error:
                # Temporary tables, statements of a newer schema than this binary migrates: reported, not hidden.
                unplanned.append((sql, str(error)))
                continue
            for step in plan:
                m = re.match(r"SCAN (\w+)(?: USING (?:COVERING )?INDEX (\w+))?", step)
                if m and m.group(2) in BOUNDED_PARTIAL_INDEXES:
                    continue
                if m and m.group(1) in growing:
                    scans.append((m.group(1), step, sql))
        for sql, error in unplanned:
            print(f"# not planned ({error}): {sql[:160]}")
        if scans:
            for table, step, sql in scans:
                print(f"FAIL full scan of {table} ({step}) in: {sql[:300]}")
        else:
            print(f"ok no statement serve ran scans a growing table ({len(growing)} such tables)")

main()
