#!/usr/bin/env bash
# `keys rotate` while `serve` runs: nothing stops, every case still opens, and new cases are wrapped under
# the new version by the service that started with the old one (it reloads its key directory on meeting it).
source "$(dirname "$0")/lib.sh"
cd "$work"
K="$work/keys"; D="$work/data"
"$bin" keys init --key-dir "$K" >/dev/null && "$bin" migrate --data-dir "$D" >/dev/null
port=$(free_port); url="http://127.0.0.1:$port"
canary="CANARY$RANDOM$RANDOM"
body=$(referral_json "$canary" portal)
"$bin" serve --data-dir "$D" --key-dir "$K" --host 127.0.0.1 --port "$port" >"$work/serve.log" 2>&1 &
pid=$!
check "serve becomes ready" wait_ready "$port"
refer() { curl -s -H 'Content-Type: application/json' --data "$body" "$url/api/v1/referrals"; }
first=$(refer)
ref=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["reference"])' "$first")
pass=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["passphrase"])' "$first")

out=$("$bin" keys rotate --data-dir "$D" --key-dir "$K" 2>&1); rc=$?
check "keys rotate succeeds while the service runs" test "$rc" -eq 0
check "and names v2" grep -q 'master key v2 is current' <<<"$out"
check "the service is still ready" curl -fs "$url/readyz"

# The family of the case made before the rotation signs in, writes and reads (its key is now under v2).
token=$(curl -s -H 'Content-Type: application/json' --data "{\"reference\":\"$ref\",\"passphrase\":\"$pass\"}" \
  "$url/api/v1/portal/session" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  --data '{"body":"a message after the rotation"}' "$url/api/v1/portal/messages")
check "a message is written to the rotated case (201)" test "$code" = 201
check "and read back by the running service" \
  bash -c "curl -fs -H 'Authorization: Bearer $token' '$url/api/v1/portal/case' | grep -q 'a message after the rotation'"

# A referral after the rotation is wrapped under v2, not the v1 the service started with.
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' --data "$body" "$url/api/v1/referrals")
check "a referral after the rotation answers 201" test "$code" = 201
kill -TERM "$pid"; wait "$pid"
out=$("$bin" check --data-dir "$D" --key-dir "$K" 2>&1); rc=$?
check "check passes afterwards" test "$rc" -eq 0
check "every case key is under v2 (the new referral too)" grep -qE '^ok   case keys: all open \(versions in use: v2×2\)$' <<<"$out"
check "no older version left in use" bash -c "! grep -q '^warn master' <<<'$out'"
check "the service log holds no personal value" bash -c "! grep -q '$canary' '$work/serve.log'"
