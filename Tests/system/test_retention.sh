#!/usr/bin/env bash
# `reconcile retention run` as an operator (or cron) drives it: one summary line, honest failures, nothing
# erased that is not due, a family's erasure request carried out after the cooling-off period, and
# `check` still passing afterwards.
source "$(dirname "$0")/lib.sh"
cd "$work"
K="$work/keys"; D="$work/data"
"$bin" keys init --key-dir "$K" >/dev/null && "$bin" migrate --data-dir "$D" >/dev/null
run() { "$bin" retention run --data-dir "$D" --key-dir "$K" "$@" 2>&1; }
one_line_naming() { [[ $(wc -l <<<"$1") -eq 1 ]] && grep -q -- "$2" <<<"$1"; }

check "retention run --help explains itself" bash -c "'$bin' retention run --help | grep -q -- '--now'"
out=$(run); rc=$?
check "retention run on a fresh database succeeds" test "$rc" -eq 0
check "and prints one line: erased 0 cases" test "$out" = "erased 0 cases; 0 held back by a safeguarding hold"
out=$(run --now 2031-05-01T12:00:00Z); rc=$?
check "an explicit --now is accepted" test "$rc $out" = "0 erased 0 cases; 0 held back by a safeguarding hold"
out=$(run --now 2031-05-01T12:00:00.250+01:00); rc=$?
check "--now with fractional seconds and an offset is accepted" test "$rc" -eq 0

for bad in "yesterday" "2031-05-01" "2031-13-01T12:00:00Z" "2031-05-01T12:00:00"; do
  out=$(run --now "$bad"); rc=$?
  check "a malformed --now ($bad) is refused non-zero" test "$rc" -ne 0
  check "with one line naming --now" one_line_naming "$out" "--now"
done

# A bad policy file stops the run before anything is touched, naming the key.
P="$work/policies"; mkdir -p "$P"
echo '{"erasure_cooling_off_days": 14, "closed_case_retention_month": 24}' >"$P/retention.json"
out=$(run --policies-dir "$P"); rc=$?
check "an unknown policy key is refused non-zero" test "$rc" -ne 0
check "naming the key, in one line" one_line_naming "$out" "closed_case_retention_month"
echo '{"erasure_cooling_off_days": 365}' >"$P/retention.json"
out=$(run --policies-dir "$P"); rc=$?
check "an out-of-range cooling-off is refused non-zero" test "$rc" -ne 0
check "naming the key" one_line_naming "$out" "erasure_cooling_off_days"
out=$(run --policies-dir "$work/none"); rc=$?
check "a missing policy file is refused" test "$rc" -ne 0
check "retention run without a database is refused" bash -c "! '$bin' retention run --data-dir '$work/nodb' --key-dir '$K'"

# A referral over the API; an open case is never erased by retention, however late the run.
port=$(free_port); url="http://127.0.0.1:$port"
canary="CANARY$RANDOM$RANDOM"
body=$(referral_json "$canary" portal)
start() {
  RECONCILE_SECURITY_PASSWORD_HASH_COST=minimum "$bin" serve --data-dir "$D" --key-dir "$K" --host 127.0.0.1 --port "$port" \
    >>"$work/serve.log" 2>&1 &
  pid=$!
  wait_ready "$port"
}
stop() { kill -TERM "$pid"; wait "$pid"; }
check "serve starts" start
code=$(curl -s -o "$work/r1" -w '%{http_code}' -H 'Content-Type: application/json' --data "$body" "$url/api/v1/referrals")
check "a referral answers 201" test "$code" = 201
reference=$(python3 -c "import json; print(json.load(open('$work/r1'))['reference'])" 2>/dev/null)
passphrase=$(python3 -c "import json; print(json.load(open('$work/r1'))['passphrase'])" 2>/dev/null)
check "serve stops" stop
out=$(run --now 2099-01-01T00:00:00Z)
check "an open case is not erased, even decades later" test "$out" = "erased 0 cases; 0 held back by a safeguarding hold"
check "check passes" "$bin" check --data-dir "$D" --key-dir "$K"
check "and still counts the case" bash -c "'$bin' check --data-dir '$D' --key-dir '$K' | grep -q '(1 cases)'"

# The family asks for erasure in the portal; it is carried out only after the cooling-off period.
check "serve starts again" start
code=$(curl -s -o "$work/s1" -w '%{http_code}' -H 'Content-Type: application/json' \
  --data '{"reference":"'"$reference"'","passphrase":"'"$passphrase"'"}' "$url/api/v1/portal/session")
check "the family signs in to the portal" test "$code" = 200
token=$(python3 -c "import json; print(json.load(open('$work/s1'))['token'])" 2>/dev/null)
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $token" "$url/api/v1/portal/erasure")
check "and asks for erasure (202)" test "$code" = 202
check "serve stops again" stop
out=$(run --now "$(date -u -d '+13 days' +%Y-%m-%dT%H:%M:%SZ)")
check "not erased within the cooling-off period" test "$out" = "erased 0 cases; 0 held back by a safeguarding hold"
out=$(run --now "$(date -u -d '+15 days' +%Y-%m-%dT%H:%M:%SZ)")
check "erased after it" test "$out" = "erased 1 cases; 0 held back by a safeguarding hold"
out=$(run --now "$(date -u -d '+15 days' +%Y-%m-%dT%H:%M:%SZ)")
check "a second run is a no-op" test "$out" = "erased 0 cases; 0 held back by a safeguarding hold"
check "check passes after erasure (key gone, audit chain intact)" "$bin" check --data-dir "$D" --key-dir "$K"
check "the WAL is empty after the run" bash -c "test ! -s '$D/reconcile.sqlite-wal'"
check "no plain personal value in the data directory" bash -c "! grep -rqa '$canary' '$D'"
check "no personal value in the serve log" bash -c "! grep -qa '$canary' '$work/serve.log'"
check "serve starts after erasure" start
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
  --data '{"reference":"'"$reference"'","passphrase":"'"$passphrase"'"}' "$url/api/v1/portal/session")
check "the erased reference no longer signs in (401)" test "$code" = 401
check "serve stops at the end" stop
