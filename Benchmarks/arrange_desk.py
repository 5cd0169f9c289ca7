#!/usr/bin/env python3
"""Arranges seeded cases for the desk figures (k) with SQL, labelled as such: of every case, OPEN stay open (the
demo seed's open cases first, then closed ones put back at "listening") and the rest are closed; each of the
practitioners given is assigned PER_PRACTITIONER of the open cases, the known family's case (by reference) first
to the first of them; the other open cases are left unassigned (the lead's team view). Every closed case keeps a
practitioner, shared out in turn, as years of work would leave them (so counting an open caseload must not read
a person's closed cases).

Usage: arrange_desk.py DB REFERENCE OPEN PER_PRACTITIONER EMAIL...
Prints: total_cases=N open=N assigned=N
"""
import random, sqlite3, sys

db, reference, open_count, per = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
emails = sys.argv[5:]
con = sqlite3.connect(db)
con.execute("PRAGMA foreign_keys = ON")
rng = random.Random(7)
known = con.execute("SELECT id FROM referral_case WHERE reference = ?", (reference,)).fetchone()[0]
rows = con.execute("SELECT id, stage FROM referral_case WHERE id != ? ORDER BY id", (known,)).fetchall()
open_now = [i for i, s in rows if s != "closed"]
closed_now = [i for i, s in rows if s == "closed"]
rng.shuffle(open_now)
rng.shuffle(closed_now)
keep = ([known] + open_now + closed_now)[:open_count]
kept = set(keep)
with con:
    con.execute("CREATE TEMP TABLE keep_open (id TEXT PRIMARY KEY)")
    con.executemany("INSERT INTO keep_open VALUES (?)", [(i,) for i in keep])
    con.execute("""UPDATE referral_case SET stage = 'closed', close_reason = 'completed', closed_at = COALESCE(closed_at, received_at)
                   WHERE stage != 'closed' AND id NOT IN (SELECT id FROM keep_open)""")
    con.execute("""UPDATE referral_case SET stage = 'listening', close_reason = NULL, closed_at = NULL
                   WHERE stage = 'closed' AND id IN (SELECT id FROM keep_open)""")
    con.execute("UPDATE referral_case SET assigned_to = NULL")
    ids = [con.execute("SELECT id FROM staff_account WHERE email = ?", (e,)).fetchone()[0] for e in emails]
    con.execute("CREATE TEMP TABLE staff_turn (n INTEGER PRIMARY KEY, id TEXT)")
    con.executemany("INSERT INTO staff_turn VALUES (?, ?)", list(enumerate(ids)))
    con.execute(f"""UPDATE referral_case SET assigned_to = (SELECT id FROM staff_turn WHERE n = referral_case.rowid % {len(ids)})
                    WHERE stage = 'closed'""")
    assigned = 0
    for n, staff in enumerate(ids):
        for case in keep[n * per:(n + 1) * per]:
            con.execute("UPDATE referral_case SET assigned_to = ? WHERE id = ?", (staff, case))
            assigned += 1
total = con.execute("SELECT COUNT(*) FROM referral_case").fetchone()[0]
opened = con.execute("SELECT COUNT(*) FROM referral_case WHERE stage != 'closed'").fetchone()[0]
print(f"total_cases={total} open={opened} assigned={assigned}")
