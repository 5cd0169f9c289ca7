#!/usr/bin/env bash
# Operations as an operator runs them: backup while the service runs, restore drills into fresh directories,
# honest refusals, and master key rotation with old backups still restorable.
source "$(dirname "$0")/lib.sh"
cd "$work"
K="$work/keys"; D="$work/data"; BK="$work/backups"
"$bin" keys init --key-dir "$K" >/dev/null && "$bin" migrate --data-dir "$D" >/dev/null
check "demo seed adds cases and a staff account" "$bin" demo seed --data-dir "$D" --key-dir "$K" --cases 6 --seed 7

port=$(free_port); url="http://127.0.0.1:$port"
canary="CANARY$RANDOM$RANDOM"
body=$(referral_json "$canary" email)
"$bin" serve --data-dir "$D" --key-dir "$K" --host 127.0.0.1 --port "$port" >"$work/serve.log" 2>&1 &
pid=$!
check "serve becomes ready" wait_ready "$port"
out=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' --data "$body" "$url/api/v1/referrals")
check "a referral answers 201" test "$out" = 201

# Backup while the service runs, and while it takes more referrals.
for i in 1 2 3; do curl -s -o /dev/null -H 'Content-Type: application/json' --data "$body" "$url/api/v1/referrals" & done
out=$("$bin" backup --data-dir "$D" --to "$BK/first.sqlite" 2>&1); rc=$?
wait $(jobs -p | grep -vx "$pid") 2>/dev/null
check "backup succeeds while the service runs" test "$rc" -eq 0
check "backup prints one line with cases and schema" \
  bash -c "test \$(wc -l <<<'$out') -eq 1 && grep -qE '^backup written: $BK/first.sqlite \([0-9]+ cases, schema v[0-9]+-[a-z-]+\)$' <<<'$out'"
backup_cases=$(sed -E 's/.*\(([0-9]+) cases.*/\1/' <<<"$out")
check "the backup file is 0600" test "$(stat -c %a "$BK/first.sqlite")" = 600
check "the backup is one file (no -wal beside it)" test "$(ls "$BK")" = "first.sqlite"
check "the backup holds no personal value" bash -c "! grep -qa '$canary' '$BK/first.sqlite'"
check "the backup holds no key material" bash -c "! grep -qaF \"\$(head -c 16 '$K/master-v1.key')\" '$BK/first.sqlite'"
before=$(sha256sum "$BK/first.sqlite")
out=$("$bin" backup --data-dir "$D" --to "$BK/first.sqlite" 2>&1); rc=$?
check "backup refuses to overwrite an existing file" bash -c "test $rc -ne 0 && test \"\$(sha256sum '$BK/first.sqlite')\" = '$before'"
check "the refusal is one line" test "$(wc -l <<<"$out")" -eq 1

check "restore --force refuses while the service has the database open" \
  bash -c "! '$bin' restore --from '$BK/first.sqlite' --data-dir '$D' --force"
kill -TERM "$pid"; wait "$pid"

# Restore drill: a fresh data directory, the same key directory.
R1="$work/drill-1"
out=$("$bin" restore --from "$BK/first.sqlite" --data-dir "$R1" 2>&1); rc=$?
check "restore into a fresh directory succeeds" test "$rc" -eq 0
check "restore prints one line" test "$(wc -l <<<"$out")" -eq 1
check "the restored database is 0600" test "$(stat -c %a "$R1/reconcile.sqlite")" = 600
out=$("$bin" check --data-dir "$R1" --key-dir "$K" 2>&1); rc=$?
check "check passes on the restored directory" test "$rc" -eq 0
check "with the backup's case count" grep -q "^ok   database integrity ($backup_cases cases)" <<<"$out"
check "every case key opens" grep -q "^ok   case keys: all open (versions in use: v1×$backup_cases)" <<<"$out"
check "and the audit chain verifies" grep -qE '^ok   audit chain: [0-9]+ rows verified' <<<"$out"

# Refusals: one line, non-zero, nothing changed.
refuses() {  # what, file, data dir [, extra]
  local out rc; out=$("$bin" restore --from "$2" --data-dir "$3" ${4:-} 2>&1); rc=$?
  check "restore refuses $1" test "$rc" -ne 0
  check "the refusal of $1 is one line" test "$(wc -l <<<"$out")" -eq 1
}
head -c 8192 /dev/urandom >"$work/garbage.sqlite"
refuses "a file that is not SQLite" "$work/garbage.sqlite" "$work/none-1"
check "nothing was created for garbage" test ! -e "$work/none-1"
head -c $(( $(stat -c %s "$BK/first.sqlite") / 2 )) "$BK/first.sqlite" >"$work/truncated.sqlite"
refuses "a truncated backup" "$work/truncated.sqlite" "$work/none-2"
cp "$BK/first.sqlite" "$work/future.sqlite"
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"INSERT INTO grdb_migrations VALUES ('v999-future')\"); c.commit()" "$work/future.sqlite"
refuses "a newer schema" "$work/future.sqlite" "$work/none-3"
check "the newer-schema refusal names it" bash -c "'$bin' restore --from '$work/future.sqlite' --data-dir '$work/none-3' 2>&1 | grep -q 'v999-future'"
sum=$(sha256sum "$R1/reconcile.sqlite")
refuses "an existing database without --force" "$BK/first.sqlite" "$R1"
check "the existing database is untouched" test "$(sha256sum "$R1/reconcile.sqlite")" = "$sum"

# Rotation (while the service runs: test_live_rotation.sh).
out=$("$bin" keys rotate --data-dir "$D" --key-dir "$K" 2>&1); rc=$?
check "keys rotate succeeds" test "$rc" -eq 0
check "keys rotate prints one line naming v2" bash -c "test \$(wc -l <<<'$out') -eq 1 && grep -q 'master key v2 is current' <<<'$out'"
check "master-v2.key is 0600 and master-v1.key is kept" \
  bash -c "test \$(stat -c %a '$K/master-v2.key') = 600 && test -e '$K/master-v1.key'"
out=$("$bin" check --data-dir "$D" --key-dir "$K" 2>&1); rc=$?
check "check passes after rotation" test "$rc" -eq 0
check "check shows master key v2 wrapping every case key" grep -qE '^ok   case keys: all open \(versions in use: v2×[0-9]+\)$' <<<"$out"
check "check shows TOTP secrets under v2" grep -q '^ok   staff TOTP secrets: all open (versions in use: v2×1)' <<<"$out"
check "no key warning after a clean rotation" bash -c "! grep -q '^warn master' <<<'$out'"
"$bin" backup --data-dir "$D" --to "$BK/after-rotation.sqlite" >/dev/null

# Restore drill from the backup taken BEFORE the rotation, with the rotated key directory.
R2="$work/drill-2"
check "the pre-rotation backup restores" "$bin" restore --from "$BK/first.sqlite" --data-dir "$R2"
out=$("$bin" check --data-dir "$R2" --key-dir "$K" 2>&1); rc=$?
check "check passes on the pre-rotation restore (old versions kept)" test "$rc" -eq 0
check "it reports v1 still in use, as a warning" grep -q '^warn master key versions v1 still in use (current v2)' <<<"$out"
check "a forced restore keeps the replaced database aside" \
  bash -c "'$bin' restore --from '$BK/after-rotation.sqlite' --data-dir '$R2' --force | grep -q 'previous database kept as' && ls '$R2' | grep -q '^reconcile.sqlite.before-restore-'"
check "check passes after the forced restore" "$bin" check --data-dir "$R2" --key-dir "$K"

# A second rotation, and a lost old key shows up in check.
check "a second rotation succeeds" bash -c "'$bin' keys rotate --data-dir '$D' --key-dir '$K' | grep -q 'master key v3 is current'"
check "check passes after two rotations" bash -c "'$bin' check --data-dir '$D' --key-dir '$K' | grep -qE 'versions in use: v3×[0-9]+'"
mv "$K/master-v1.key" "$work/master-v1.key.away"
out=$("$bin" check --data-dir "$R1" --key-dir "$K" 2>&1); rc=$?
check "check fails when a version in use is missing from the key directory" \
  bash -c "test $rc -ne 0 && grep -q 'master key version 1 wraps .* case keys but is not in the key directory' <<<'$out'"
mv "$work/master-v1.key.away" "$K/master-v1.key"

# Loose permissions on a new key file are refused like any other.
chmod 644 "$K/master-v3.key"
out=$("$bin" check --data-dir "$D" --key-dir "$K" 2>&1); rc=$?
check "check refuses a loose new key file, naming it" bash -c "test $rc -ne 0 && grep -q 'master-v3.key.*0600' <<<'$out'"
check "keys rotate refuses a loose key file" bash -c "! '$bin' keys rotate --data-dir '$D' --key-dir '$K'"
check "and adds no key" test ! -e "$K/master-v4.key"
chmod 600 "$K/master-v3.key"
check "check passes again once fixed" "$bin" check --data-dir "$D" --key-dir "$K"
