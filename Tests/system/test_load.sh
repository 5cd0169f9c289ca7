#!/usr/bin/env bash
# As an attacker with a script would: bursts sent at once over real sockets. A lockout that holds under a
# parallel burst (no more checks than the limit), sign-ins refused with 503 at once when every hashing thread is
# busy while /readyz still answers, and a referral flood answered 201 or 503 within 10 s, every 201 stored.
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
cd "$work"
K="$work/keys"; D="$work/data"
# "interactive" (64 MiB) keeps the suite quick while still being slow enough to fill one hashing thread.
export RECONCILE_SECURITY_PASSWORD_HASH_COST=interactive
"$bin" keys init --key-dir "$K" >/dev/null && "$bin" migrate --data-dir "$D" >/dev/null
printf 'lead password 123\n' | "$bin" user add --data-dir "$D" --key-dir "$K" --email lead@example.org --role lead --password-stdin >/dev/null
audit_count() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT COUNT(*) FROM audit_log WHERE action=? AND detail=?", (sys.argv[2], sys.argv[3])).fetchone()[0])' "$D/reconcile.sqlite" "$1" "$2"; }
count() { grep -c "^$1 " <<<"$2"; }

port=$(free_port); url="http://127.0.0.1:$port"
RECONCILE_SECURITY_HASH_WORKERS=1 RECONCILE_SECURITY_HASH_QUEUE=16 RECONCILE_LIMITS_INTAKE_QUEUE=8 \
  "$bin" serve --data-dir "$D" --key-dir "$K" --host 127.0.0.1 --port "$port" >"$work/serve.log" 2>&1 &
pid=$!
check "serve becomes ready" wait_ready "$port"

out=$(python3 "$here/burst.py" "$url/api/v1/staff/session" 60 '{"email":"lead@example.org","password":"wrong guess {n}","totp":"123456"}')
check "60 wrong sign-ins at once for one account: at most 10 are checked (401)" test "$(count 401 "$out")" -le 10
check "… and the rest get 429 with Retry-After" test "$(grep -cE '^429 [0-9.]+ [0-9]+$' <<<"$out")" -eq $((60 - $(count 401 "$out")))
check "… and the audit log holds at most 10 password checks" test "$(audit_count staff.sign_in_failed password)" -le 10

# Different accounts from one address would hit the per-address limit; this server has none for the next part.
kill -TERM "$pid"; wait "$pid"
port=$(free_port); url="http://127.0.0.1:$port"
RECONCILE_SECURITY_HASH_WORKERS=1 RECONCILE_SECURITY_HASH_QUEUE=2 RECONCILE_LIMITS_LOGIN_FAILURES=0 \
RECONCILE_LIMITS_INTAKE_PER_MINUTE=0 RECONCILE_LIMITS_INTAKE_QUEUE=8 \
  "$bin" serve --data-dir "$D" --key-dir "$K" --host 127.0.0.1 --port "$port" >>"$work/serve.log" 2>&1 &
pid=$!
check "serve becomes ready again" wait_ready "$port"
python3 "$here/burst.py" "$url/api/v1/staff/session" 40 '{"email":"person{n}@example.org","password":"any password at all","totp":"123456"}' >"$work/signins.out" &
burst=$!
sleep 0.3
ready=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' "$url/readyz")
wait "$burst"; out=$(cat "$work/signins.out")
check "40 sign-ins at once on one hashing thread: some get 503 at once" test "$(count 503 "$out")" -ge 1
check "… every 503 carries Retry-After and came within a second" \
  python3 -c 'import sys; rows=[l.split() for l in sys.stdin if l.startswith("503 ")]; sys.exit(0 if rows and all(r[2] != "-" and float(r[1]) < 1 for r in rows) else 1)' <<<"$out"
check "… the others are answered 401" test "$(( $(count 503 "$out") + $(count 401 "$out") ))" -eq 40
check "/readyz answers 200 within a second meanwhile ($ready)" python3 -c 'import sys; c, t = sys.argv[1].split(); sys.exit(0 if c == "200" and float(t) < 1 else 1)' "$ready"

body='{"contact":{"preference":"portal"},"council_area":"shropshire","referrer_role":"parent_or_carer","setting":"secondary","harm":["sexual_harassment"],"when":"under_1_year","told_before":["school"],"wishes":["counselling"],"story":"flood {n}","consent":{"contact":true,"statistics":true}}'
before=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT COUNT(*) FROM referral_case").fetchone()[0])' "$D/reconcile.sqlite")
out=$(python3 "$here/burst.py" "$url/api/v1/referrals" 120 "$body" 10)
kill -TERM "$pid"; wait "$pid"
after=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT COUNT(*) FROM referral_case").fetchone()[0])' "$D/reconcile.sqlite")
check "120 referrals at once: every answer is a 201 or a 503 within 10 s" test "$(( $(count 201 "$out") + $(count 503 "$out") ))" -eq 120
check "… every 201 is stored ($(count 201 "$out") answered 201)" test "$((after - before))" -eq "$(count 201 "$out")"
check "the server log holds no password" bash -c "! grep -qE 'lead password|wrong guess|any password' '$work/serve.log'"
