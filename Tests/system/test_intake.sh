#!/usr/bin/env bash
# Intake over a real socket: the JSON API and the form with JavaScript off (curl), bodies refused from their
# declared length, the rate limit by address, durability across kill -9, and no personal value in the log.
source "$(dirname "$0")/lib.sh"
cd "$work"
K="$work/keys"; D="$work/data"
"$bin" keys init --key-dir "$K" >/dev/null && "$bin" migrate --data-dir "$D" >/dev/null
port=$(free_port); url="http://127.0.0.1:$port"
canary="CANARY$RANDOM$RANDOM"
body=$(referral_json "$canary" email)

start() {
  RECONCILE_LIMITS_INTAKE_PER_MINUTE=5 RECONCILE_SECURITY_PASSWORD_HASH_COST=minimum \
    "$bin" serve --data-dir "$D" --key-dir "$K" --host 127.0.0.1 --port "$port" >>"$work/serve.log" 2>&1 &
  pid=$!
  wait_ready "$port"
}
check "serve starts" start

out=$(curl -s -o "$work/r1" -w '%{http_code}' -H 'Content-Type: application/json' -H 'Idempotency-Key: sys-1' --data "$body" "$url/api/v1/referrals")
check "a referral answers 201" test "$out" = 201
check "with a reference RS-XXXX-XXXX" grep -qE '"reference":"RS-[0-9A-Z]{4}-[0-9A-Z]{4}"' "$work/r1"
check "and six passphrase words" python3 -c "import json,sys; p=json.load(open('$work/r1'))['passphrase']; sys.exit(len(p.split('-'))!=6)"

# Declared larger than the limit: refused from the header, before the body is read.
out=$(curl -s -o "$work/r2" -w '%{http_code}' --max-time 5 -H 'Content-Type: application/json' -H 'Content-Length: 5000000' \
      --data '{}' "$url/api/v1/referrals")
check "a declared oversized body is refused 413 at once" test "$out" = 413
check "413 answers in the JSON error shape" grep -q '"code":"too_large"' "$work/r2"
# Streamed (chunked, no length) and growing past the limit.
head -c 200000 /dev/zero | tr '\0' 'a' >"$work/big"
out=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' \
      --data-binary @"$work/big" "$url/api/v1/referrals")
check "a chunked body growing past the limit is refused 413" test "$out" = 413
# Python's urllib sends the whole body before it reads any answer (no Expect: 100-continue): it must still get
# its 413 (the server drains up to a bound) or, for a huge body, a closed connection, never a hang.
cat >"$work/urllib_big.py" <<'PY'
import sys, time, urllib.request, urllib.error
url, size = sys.argv[1], int(sys.argv[2])
req = urllib.request.Request(url, data=b"a" * size, method="POST", headers={"Content-Type": "application/json"})
started = time.time()
try:
    urllib.request.urlopen(req, timeout=15)
    print("no-refusal")
except urllib.error.HTTPError as e:
    print(e.code)
except (ConnectionError, urllib.error.URLError) as e:
    print("closed" if time.time() - started < 15 and "timed out" not in str(e) else "hung")
except TimeoutError:
    print("hung")
PY
out=$(python3 "$work/urllib_big.py" "$url/api/v1/referrals" 200000)
check "urllib sending 200 KB gets 413 (drained), not a hang" test "$out" = 413
out=$(python3 "$work/urllib_big.py" "$url/refer" 600000)
check "urllib sending 600 KB to the form gets 413" test "$out" = 413
out=$(python3 "$work/urllib_big.py" "$url/api/v1/referrals" 20000000)
check "urllib sending 20 MB gets 413 or a closed connection at once, not a hang" bash -c "[[ '$out' == 413 || '$out' == closed ]]"
check "the server still answers after the oversized bodies" curl -fs --max-time 5 "$url/readyz"

# The form, as a browser with JavaScript off: cookie jar, hidden token, urlencoded post.
curl -s -c "$work/jar" "$url/refer" >"$work/form.html"
token=$(grep -o 'name="csrf_token" value="[^"]*"' "$work/form.html" | cut -d'"' -f4)
sid=$(grep -o 'name="submission_id" value="[^"]*"' "$work/form.html" | cut -d'"' -f4)
check "the form carries a CSRF token" test -n "$token"
out=$(curl -s -b "$work/jar" -o "$work/confirm.html" -w '%{http_code}' -H "Origin: $url" \
  --data-urlencode "csrf_token=$token" --data-urlencode "submission_id=$sid" --data-urlencode "website=" \
  --data-urlencode "preference=portal" --data-urlencode "story=form story $canary" --data-urlencode "council_area=worcestershire" \
  --data-urlencode "referrer_role=young_person" --data-urlencode "involvement=saw_or_knew" --data-urlencode "setting=online" --data-urlencode "harm=online_or_image_based" \
  --data-urlencode "when=under_1_year" --data-urlencode "told_before=none" --data-urlencode "wishes=emotional_support" \
  --data-urlencode "consent_contact=yes" --data-urlencode "consent_statistics=no" "$url/refer")
check "the form is accepted with JavaScript off" test "$out" = 200
check "the confirmation shows a reference" grep -qE 'RS-[0-9A-Z]{4}-[0-9A-Z]{4}' "$work/confirm.html"

# The per-address limit (5 a minute here) counts every attempt that reaches intake, good or bad: three so far
# (the API referral, the chunked one, the form); the header-refused 413 never reached it.
codes=""
for _ in 1 2 3; do
  codes+=$(curl -s -o /dev/null -D "$work/h" -w '%{http_code} ' -H 'Content-Type: application/json' --data "$body" "$url/api/v1/referrals")
done
check "the sixth attempt in a minute is refused 429" test "$codes" = "201 201 429 "
check "429 says when to retry" grep -qi '^retry-after: [0-9]' "$work/h"

# kill -9 straight after the answers: every acknowledged referral is there after restart.
kill -9 "$pid"; wait "$pid" 2>/dev/null
check "check passes after kill -9" "$bin" check --data-dir "$D" --key-dir "$K"
check "all four acknowledged referrals survived" bash -c "'$bin' check --data-dir '$D' --key-dir '$K' | grep -q '(4 cases)'"
check "serve starts again" start
out=$(curl -s -o "$work/r3" -w '%{http_code}' -H 'Content-Type: application/json' -H 'Idempotency-Key: sys-1' --data "$body" "$url/api/v1/referrals")
check "a retry after the restart returns the same referral" \
  python3 -c "import json,sys; sys.exit(not ('$out' == '201' and json.load(open('$work/r1')) == json.load(open('$work/r3'))))"
kill -TERM "$pid"; wait "$pid"

check "SIGTERM left the WAL checkpointed (empty)" bash -c "test ! -s '$D/reconcile.sqlite-wal'"
check "the server log names no personal value" bash -c "! grep -q '$canary' '$work/serve.log'"
check "the database files hold no personal value" bash -c "! grep -rqa '$canary' '$D'"
