#!/usr/bin/env python3
"""Bulk-inserts synthetic STATISTICAL case rows with plain SQL, for the list and report benchmarks only.

Usage: seed_statistical_rows.py DATABASE COUNT AREAS START END [SEED]
  AREAS  comma-separated council areas, cycled
  START, END  received_at is spread uniformly over [START, END) (UTC, YYYY-MM-DD)

These rows are not referrals as the service makes them: no personal fields, no case key, a placeholder
passphrase hash, no events or audit rows. They carry what the work list and the quarterly report read:
stage, close reason, council area, the answers (role, setting, harm, when, told before, wishes; the multi-select
ones as JSON and as bit sets), consent, received/acknowledged/closed dates. The server must not be running while this writes.
"""
import datetime, json, random, sqlite3, sys, time, uuid

path, count, areas, start, end = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(","), sys.argv[4], sys.argv[5]
rng = random.Random(int(sys.argv[6]) if len(sys.argv) > 6 else 1)
t0 = datetime.datetime.fromisoformat(start).replace(tzinfo=datetime.timezone.utc).timestamp()
t1 = datetime.datetime.fromisoformat(end).replace(tzinfo=datetime.timezone.utc).timestamp()

ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"  # ReferenceFormat.alphabet
ROLES = ["parent_or_carer", "young_person", "adult_affected_as_child", "other_family_member", "prefer_not_to_say"]
SETTINGS = ["primary", "secondary", "college", "special_school", "alternative_provision", "outside_education", "online",
            "prefer_not_to_say"]
HARM = ["sexual_harassment", "online_or_image_based", "sexual_assault", "rape_or_assault_by_penetration",
        "other_harmful_sexual_behaviour"]
WHEN = ["under_1_year", "1_to_3_years", "over_3_years", "prefer_not_to_say"]
TOLD = ["school", "police", "council_or_social_care", "health", "none"]
WISHES = ["to_be_listened_to", "counselling", "independent_legal_advice", "education_support", "emotional_support",
          "social_support", "reconciliation_meeting", "information_only"]
STAGES = [("received", 10), ("acknowledged", 10), ("listening", 15), ("assessed", 10), ("signposted", 15), ("closed", 40)]
REASONS = ["completed", "withdrawn", "no_contact", "declined", "transferred"]


def stamp(seconds):
    """GRDB's text format for a Date: UTC, millisecond precision."""
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def reference(n):
    chars = []
    for _ in range(8):
        n, r = divmod(n, len(ALPHABET))
        chars.append(ALPHABET[r])
    s = "".join(reversed(chars))
    return f"RS-{s[:4]}-{s[4:]}"


def pick_some(values):
    """A multi-select answer: its JSON array and its bit set (bit i = values[i]; each list above is a prefix of
    the Swift list in declaration order, which is the stored bit order: ReconcileCore/AnswerBits.swift)."""
    chosen = sorted(rng.sample(values, rng.choice([1, 1, 1, 2, 2, 3])), key=values.index)
    return json.dumps(chosen), sum(1 << values.index(v) for v in chosen)


db = sqlite3.connect(path, isolation_level=None)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=NORMAL")  # bulk set-up, not a measured path
# Reference numbers start far above anything random intake is likely to have drawn, and are unique.
base = int(db.execute("SELECT COUNT(*) FROM referral_case").fetchone()[0]) + 17 * 29**7
stage_names, stage_weights = zip(*STAGES)
sql = """INSERT INTO referral_case (id, reference, stage, close_reason, council_area, referrer_role, setting, harm,
    when_ago, told_before, wishes, consent_contact_at, consent_statistics, consent_statistics_at, received_at,
    passphrase_hash, acknowledged_at, closed_at, harm_bits, told_before_bits, wishes_bits)
    VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"""
began = time.perf_counter()
chunk = 50_000
for first in range(0, count, chunk):
    rows = []
    for i in range(first, min(count, first + chunk)):
        received = rng.uniform(t0, t1)
        stage = rng.choices(stage_names, stage_weights)[0]
        acknowledged = stamp(min(received + rng.uniform(3600, 6 * 86400), t1 - 1)) if stage != "received" else None
        closed = stamp(min(received + rng.uniform(7 * 86400, 60 * 86400), t1 - 1)) if stage == "closed" else None
        r = stamp(received)
        # Drawn in the same order as before the bit sets were added, so a seed gives the same rows.
        case_id, reason = str(uuid.UUID(int=rng.getrandbits(128), version=4)), rng.choice(REASONS) if stage == "closed" else None
        role, setting, (harm, harm_bits) = rng.choice(ROLES), rng.choice(SETTINGS), pick_some(HARM)
        when, (told, told_bits), (wishes, wishes_bits) = rng.choice(WHEN), pick_some(TOLD), pick_some(WISHES)
        rows.append((case_id, reference(base + i), stage, reason, areas[i % len(areas)], role, setting, harm, when, told, wishes,
                     r, 1 if rng.random() < 0.9 else 0, r, r, "$argon2id$statistical-row-no-passphrase",
                     acknowledged, closed, harm_bits, told_bits, wishes_bits))
    db.execute("BEGIN")
    db.executemany(sql, rows)
    db.execute("COMMIT")
db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
total = db.execute("SELECT COUNT(*) FROM referral_case").fetchone()[0]
print(f"SEED inserted={count} total_cases={total} seconds={time.perf_counter() - began:.1f}")
