#!/usr/bin/env bash
# kill -9 under concurrent intake, several times: no referral that was answered 201 is lost, and the
# database passes `reconcile check` afterwards (SPEC: a crash at any moment loses no acknowledged referral).
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
cd "$work"
K="$work/keys"; D="$work/data"
"$bin" keys init --key-dir "$K" >/dev/null && "$bin" migrate --data-dir "$D" >/dev/null
python3 "$here/crash_intake.py" "$bin" "$D" "$K" "$(free_port)" 4 >"$work/acked" 2>"$work/crash.err"
check "the crash driver ran" test $? -eq 0
n=$(wc -l <"$work/acked")
check "referrals were acknowledged between the kills ($n)" test "$n" -gt 20
check "check passes after repeated kill -9" "$bin" check --data-dir "$D" --key-dir "$K"
missing=$(python3 - "$D/reconcile.sqlite" "$work/acked" <<'PY'
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
stored = {r[0] for r in db.execute("SELECT reference FROM referral_case")}
acked = [l.strip() for l in open(sys.argv[2]) if l.strip()]
print(sum(1 for r in acked if r not in stored))
PY
)
check "every acknowledged referral is in the database (missing: $missing)" test "$missing" = 0
