#!/usr/bin/env bash
# Staff over a real socket: accounts made with the CLI, sign-in with a TOTP code computed by an independent
# implementation (Python's hmac, from the printed otpauth URI), a case worked to closed with curl, the
# audit chain still intact for `reconcile check`.
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
cd "$work"
K="$work/keys"; D="$work/data"
export RECONCILE_SECURITY_PASSWORD_HASH_COST=minimum
"$bin" keys init --key-dir "$K" >/dev/null && "$bin" migrate --data-dir "$D" >/dev/null
totp() { python3 "$here/../SodiumTests/independent_totp.py" "$1" "$(date +%s)" | head -1; }

lead_uri=$(printf 'lead password 123\n' | "$bin" user add --data-dir "$D" --key-dir "$K" --email lead@example.org --role lead --password-stdin)
pat_uri=$(printf 'pat password 1234\n' | "$bin" user add --data-dir "$D" --key-dir "$K" --email pat@example.org --role practitioner --password-stdin)
council_uri=$(printf 'council password\n' | "$bin" user add --data-dir "$D" --key-dir "$K" --email officer@example.org --role council --council-area shropshire --password-stdin)
check "user add prints a provisioning URI" grep -q '^otpauth://totp/' <<<"$lead_uri"

port=$(free_port); url="http://127.0.0.1:$port"
"$bin" serve --data-dir "$D" --key-dir "$K" --host 127.0.0.1 --port "$port" >"$work/serve.log" 2>&1 &
pid=$!
check "serve becomes ready" wait_ready "$port"

signin() { curl -s -H 'Content-Type: application/json' --data "{\"email\":\"$1\",\"password\":\"$2\",\"totp\":\"$3\"}" "$url/api/v1/staff/session" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin).get("token",""))'; }
lead=$(signin lead@example.org 'lead password 123' "$(totp "$lead_uri")")
pat_code=$(totp "$pat_uri")
pat=$(signin pat@example.org 'pat password 1234' "$pat_code")
council=$(signin officer@example.org 'council password' "$(totp "$council_uri")")
check "the lead signs in with password and TOTP" test -n "$lead"
check "the practitioner signs in" test -n "$pat"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
  --data "{\"email\":\"pat@example.org\",\"password\":\"pat password 1234\",\"totp\":\"$pat_code\"}" "$url/api/v1/staff/session")
check "the same code cannot be used twice" test "$code" = 401

body='{"contact":{"preference":"portal"},"council_area":"shropshire","referrer_role":"parent_or_carer","setting":"secondary",
 "harm":["sexual_harassment"],"when":"under_1_year","told_before":["school"],"wishes":["counselling"],"consent":{"contact":true,"statistics":true}}'
curl -s -H 'Content-Type: application/json' --data "$body" "$url/api/v1/referrals" >/dev/null
id=$(curl -s -H "Authorization: Bearer $lead" "$url/api/v1/cases" | python3 -c 'import json,sys; print(json.load(sys.stdin)["cases"][0]["id"])')
check "the lead lists the new case" test -n "$id"
api() { curl -s -o /dev/null -w '%{http_code}' -X "$1" -H "Authorization: Bearer $2" -H 'Content-Type: application/json' --data "$4" "$url/api/v1/cases/$id/$3"; }
check "the council officer gets 403 on the case" test "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $council" "$url/api/v1/cases/$id")" = 403
check "the practitioner cannot act before assignment (the same 404 as no such case)" test "$(api POST "$pat" acknowledge '{"method":"portal"}')" = 404
check "the lead assigns" test "$(api POST "$lead" assign '{"practitioner":"pat@example.org"}')" = 200
check "acknowledge" test "$(api POST "$pat" acknowledge '{"method":"portal","note":"hello"}')" = 200
check "an illegal step is 409" test "$(api POST "$pat" close '{"reason":"completed"}')" = 409
check "listening session" test "$(api POST "$pat" listening-sessions '{"date":"2026-01-05","duration_minutes":40,"modality":"video","advice_given":"Talked through what school can do"}')" = 201
check "assessment" test "$(api POST "$pat" assessment '{"level_of_need":2,"needs":["counselling"]}')" = 201
check "signpost" test "$(api POST "$pat" signposts '{"service":"rape_crisis","need":"counselling"}')" = 201
check "close completed" test "$(api POST "$pat" close '{"reason":"completed"}')" = 200
check "the practitioner reads the case" test "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $pat" "$url/api/v1/cases/$id")" = 200
kill -TERM "$pid"; wait "$pid"

out=$("$bin" check --data-dir "$D" --key-dir "$K")
check "check verifies an audit chain with the staff actions in it" grep -qE 'audit chain: [1-9][0-9]* rows verified' <<<"$out"
check "the server log holds no password" bash -c "! grep -qE 'password 123|pat password' '$work/serve.log'"
