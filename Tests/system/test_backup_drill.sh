#!/usr/bin/env bash
# The restore drill: serve ships encrypted backups every 2 s while referrals arrive; the server is
# killed with SIGKILL and its data directory deleted; the newest shipped backup is restored and the service
# started again. Every referral acknowledged more than one interval (plus the slowest backup cycle) before the
# kill must be there, and `check` must pass. Prints the recovery point and recovery time it measured.
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
cd "$work"
export RECONCILE_METRICS_TOKEN="drill-metrics-token-$RANDOM-$RANDOM-$RANDOM"   # /metrics answers only with it
K="$work/keys"; D="$work/data"; T="$work/offsite"; interval=2
mkdir -m 0700 "$T"
"$bin" keys init --key-dir "$K" >/dev/null && "$bin" migrate --data-dir "$D" >/dev/null
check "keys init creates backup.key, 0600" test "$(stat -c %a "$K/backup.key")" = 600

port=$(free_port)
python3 "$here/backup_drill.py" "$bin" "$D" "$K" "$T" "$port" "$interval" 9 "$work" 2>"$work/drill.err"
check "the drill driver ran" test $? -eq 0
n=$(wc -l <"$work/acked" 2>/dev/null || echo 0)
check "referrals were acknowledged under load ($n)" test "$n" -gt 50
shipped=$(ls "$T" | grep -c '^reconcile-.*\.sqlite\.enc$')
check "backups were shipped while serving ($shipped)" test "$shipped" -ge 3
check "/readyz was 'ready' with no warning while backups were fresh" test "$(cat "$work/readyz")" = "ready"
age=$(awk '/^reconcile_backup_last_good_age_seconds /{print $2}' "$work/metrics")
check "/metrics reported the last good backup's age ($age s) under 2 × interval" \
  python3 -c "import sys; sys.exit(0 if 0 <= float('$age') < 2 * $interval else 1)"
check "/metrics reported no overdue backup" grep -q '^reconcile_backup_overdue 0' "$work/metrics"
check "the target holds only ciphertext (no SQLite header)" bash -c "! grep -lq 'SQLite format 3' '$T'/reconcile-*.sqlite.enc"
check "shipped backups are 0600" bash -c "test -z \"\$(find '$T' -name 'reconcile-*.sqlite.enc' ! -perm 600)\""
out=$("$bin" backup verify "$T" --key-dir "$K" 2>&1)
check "backup verify decrypts and checks every shipped backup" \
  bash -c "grep -q '^all $shipped backups decrypt and pass the integrity check$' <<<'$out'"

# Disaster: the machine's data is gone. The key directory comes from the key backup (here: still in place).
rm -rf "$D"
newest="$T/$(ls "$T" | grep '^reconcile-.*\.sqlite\.enc$' | sort | tail -1)"
out=$("$bin" restore --from "$newest" --data-dir "$work/none" --key-dir "$work/no-such-keys" 2>&1); rc=$?
check "restore without the backup key refuses in one line" bash -c "test $rc -ne 0 && test \$(wc -l <<<'$out') -eq 1"
"$bin" keys init --key-dir "$work/other-keys" >/dev/null
out=$("$bin" restore --from "$newest" --data-dir "$work/none" --key-dir "$work/other-keys" 2>&1); rc=$?
check "restore with another key directory refuses in one line, saying the key is not held" \
  bash -c "test $rc -ne 0 && test \$(wc -l <<<'$out') -eq 1 && grep -q 'backup key that is not in' <<<'$out'"
check "and restores nothing" test ! -e "$work/none/reconcile.sqlite"

t0=$(date +%s.%N)
out=$("$bin" restore --from "$newest" --data-dir "$D" --key-dir "$K" 2>&1); rc=$?
check "the newest shipped backup restores into the empty data directory" test "$rc" -eq 0
port2=$(free_port)
RECONCILE_BACKUP_TARGET_DIR="$T" RECONCILE_BACKUP_INTERVAL_SECONDS=$interval \
  "$bin" serve --data-dir "$D" --key-dir "$K" --host 127.0.0.1 --port "$port2" >"$work/serve2.log" 2>&1 &
pid=$!
check "the restored service becomes ready" wait_ready "$port2"
t1=$(date +%s.%N)
check "check passes on the restored database" "$bin" check --data-dir "$D" --key-dir "$K"

# Every referral acknowledged more than (interval + slowest backup cycle) before the kill is present.
slowest=$(grep -o 'backup.seconds=[0-9.]*' "$work/serve.log" | cut -d= -f2 | sort -g | tail -1)
result=$(python3 - "$D/reconcile.sqlite" "$work/acked" "$(cat "$work/kill")" "$interval" "${slowest:-0}" "$t0" "$t1" <<'PY'
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
stored = {r[0] for r in db.execute("SELECT reference FROM referral_case")}
acked = [(float(a), r) for a, r in (l.split() for l in open(sys.argv[2]) if l.strip())]
kill, interval, slowest, t0, t1 = map(float, sys.argv[3:8])
owed = [r for a, r in acked if a < kill - interval - slowest]
missing_owed = sum(1 for r in owed if r not in stored)
lost = [a for a, r in acked if r not in stored]
point = kill - min(lost) if lost else 0.0
print(f"{missing_owed} {len(owed)} {len(lost)} {point:.2f} {t1 - t0:.2f} {slowest:.3f}")
PY
)
read -r missing owed lost point rto slowest_cycle <<<"$result"
check "every referral acknowledged more than ${interval} s + ${slowest_cycle} s before the kill is present ($owed owed, missing: $missing)" \
  test "$missing" = 0
check "some referrals were owed at all ($owed)" test "${owed:-0}" -gt 0
echo "measured: recovery point ${point} s (referrals acknowledged in the last ${point} s before the kill were lost: $lost of $n), recovery time ${rto} s (restore + start until ready), backup cycle up to ${slowest_cycle} s, interval ${interval} s"
sleep $((interval + 1))
check "the restarted service ships again" bash -c "test \$(ls '$T' | grep -c '^reconcile-.*\.sqlite\.enc$') -gt $shipped"
kill -TERM "$pid"; wait "$pid"

# Nothing shipped for more than 2 × interval: check, /readyz and /metrics raise the alert.
sleep $((2 * interval + 1))
out=$(RECONCILE_BACKUP_TARGET_DIR="$T" RECONCILE_BACKUP_INTERVAL_SECONDS=$interval "$bin" check --data-dir "$D" --key-dir "$K" 2>&1); rc=$?
check "check warns (and still passes) when the last backup is older than 2 × interval" \
  bash -c "test $rc -eq 0 && grep -q '^warn backups: ALERT' <<<'$out'"
rm "$K/backup.key"  # a key directory from before shipped backups
port3=$(free_port)
RECONCILE_BACKUP_TARGET_DIR="$work/not-mounted" RECONCILE_BACKUP_INTERVAL_SECONDS=1 \
  "$bin" serve --data-dir "$D" --key-dir "$K" --host 127.0.0.1 --port "$port3" >"$work/serve3.log" 2>&1 &
pid=$!
check "serve starts even when the backup target is unreachable" wait_ready "$port3"
check "and creates the missing backup key, 0600" test "$(stat -c %a "$K/backup.key")" = 600
sleep 3
body=$(curl -s -w '\n%{http_code}' "http://127.0.0.1:$port3/readyz")
check "/readyz stays 200 but carries a warning line when backups are overdue" \
  bash -c "grep -q '^warning: backup overdue' <<<'$body' && test \"\$(tail -1 <<<'$body')\" = 200"
check "/metrics shows the backup overdue" bash -c "curl -s -H 'Authorization: Bearer $RECONCILE_METRICS_TOKEN' 'http://127.0.0.1:$port3/metrics' | grep -q '^reconcile_backup_overdue 1'"
check "the failure is logged without the database's contents" grep -q 'backup failed; will try again' "$work/serve3.log"
kill -TERM "$pid"; wait "$pid"
