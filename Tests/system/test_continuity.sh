#!/usr/bin/env bash
# Continuity: a graceful stop ships one last backup (so a planned move loses nothing acknowledged), and
# `keys rotate-backup` starts a new backup key while the backups made under the old one still restore.
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
cd "$work"
K="$work/keys"; D="$work/data"; T="$work/offsite"
mkdir -m 0700 "$T"
export RECONCILE_LIMITS_INTAKE_PER_MINUTE=0 RECONCILE_BACKUP_TARGET_DIR="$T" RECONCILE_BACKUP_INTERVAL_SECONDS=3600
"$bin" keys init --key-dir "$K" >/dev/null && "$bin" migrate --data-dir "$D" >/dev/null
backups() { ls "$T" | grep '^reconcile-.*\.sqlite\.enc$' | sort; }
cases_in() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True).execute("SELECT COUNT(*) FROM referral_case").fetchone()[0])' "$1/reconcile.sqlite"; }
refer() { curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' --data "$(referral_json "$1")" "http://127.0.0.1:$port/api/v1/referrals"; }
serve() {
  port=$(free_port)
  "$bin" serve --data-dir "$D" --key-dir "$K" --host 127.0.0.1 --port "$port" >>"$work/serve.log" 2>&1 &
  pid=$!
  wait_ready "$port"
}

check "serve becomes ready with backups every hour" serve
for _ in $(seq 1 100); do [[ -n "$(backups)" ]] && break; sleep 0.1; done
first=$(backups | tail -1)
check "the first backup is shipped at start ($first)" test -n "$first"
codes=""; for i in 1 2 3; do codes+="$(refer "CONTINUITY$i") "; done
check "three referrals acknowledged after it ($codes)" test "$codes" = "201 201 201 "
kill -TERM "$pid"; wait "$pid"; rc=$?
check "serve stops cleanly on SIGTERM" test "$rc" -eq 0
last=$(backups | tail -1)
check "the stop shipped a final backup ($last)" bash -c "test -n '$last' && test '$last' != '$first'"
check "its log line says so" grep -q 'final backup at shutdown' "$work/serve.log"
"$bin" restore --from "$T/$last" --data-dir "$work/restored1" --key-dir "$K" >/dev/null 2>&1
check "the final backup holds all three referrals" test "$(cases_in "$work/restored1")" -eq 3

out=$("$bin" keys rotate-backup --key-dir "$K" 2>&1); rc=$?
old_id=$(sed -nE 's/.*; ([0-9a-f]{32}) kept as .*/\1/p' <<<"$out")
check "keys rotate-backup prints one line and keeps the old key ($old_id)" \
  bash -c "test $rc -eq 0 && test \$(wc -l <<<'$out') -eq 1 && test -f '$K/backup-retired-$old_id.key'"
check "the kept key and the new one are 0600" \
  bash -c "test \$(stat -c %a '$K/backup-retired-$old_id.key') = 600 && test \$(stat -c %a '$K/backup.key') = 600"
check "the new backup.key differs from the kept one" bash -c "! cmp -s '$K/backup.key' '$K/backup-retired-$old_id.key'"

check "serve starts again under the new key" serve
code=$(refer CONTINUITY4)
check "a fourth referral is acknowledged ($code)" test "$code" = 201
kill -TERM "$pid"; wait "$pid"
newest=$(backups | tail -1)
check "the stop shipped a backup under the new key ($newest)" bash -c "test '$newest' != '$last'"
out=$("$bin" backup verify "$T" --key-dir "$K" 2>&1)
n=$(backups | wc -l)
check "backup verify opens every backup, old key and new ($n)" grep -q "^all $n backups decrypt and pass the integrity check$" <<<"$out"
"$bin" restore --from "$T/$newest" --data-dir "$work/restored2" --key-dir "$K" >/dev/null 2>&1
check "the newest restores with all four referrals" test "$(cases_in "$work/restored2")" -eq 4
"$bin" restore --from "$T/$last" --data-dir "$work/restored3" --key-dir "$K" >/dev/null 2>&1
check "a backup made under the retired key still restores" test "$(cases_in "$work/restored3")" -eq 3

# Without the kept file, an old backup names a key the directory does not hold: refused in one line.
cp -a "$K" "$work/keys-without-old"; rm "$work/keys-without-old/backup-retired-$old_id.key"
out=$("$bin" restore --from "$T/$last" --data-dir "$work/restored4" --key-dir "$work/keys-without-old" 2>&1); rc=$?
check "without the kept key, the old backup is refused in one line" bash -c "test $rc -ne 0 && test \$(wc -l <<<'$out') -eq 1"
check "… and the new one still restores" "$bin" restore --from "$T/$newest" --data-dir "$work/restored5" --key-dir "$work/keys-without-old"
check "the server log holds no planted value" bash -c "! grep -q CONTINUITY '$work/serve.log'"
