#!/usr/bin/env bash
# The newcomer's first five minutes: `scripts/run --demo` serves synthetic cases in a folder of its own and prints
# how each role signs in; those sign-ins work as printed (staff with the password and a code from
# scripts/demo-code, the family with the reference and passphrase), a second start reuses the same demo, and
# ./var/data is never touched.
source "$(dirname "$0")/lib.sh"
root="$(cd "$(dirname "$0")/../.." && pwd)"
export RECONCILE_SECURITY_PASSWORD_HASH_COST=minimum RECONCILE_BIN="$bin" RECONCILE_DEMO_DIR="$work/demo"
port=$(free_port); export PORT=$port
before=$(find "$root/var/data" -type f -newer "$root/Package.swift" 2>/dev/null | wc -l)

start_demo() {
    "$root/scripts/run" --demo > "$work/out" 2> "$work/err" &
    demo=$!
    for _ in $(seq 1 300); do grep -q "^Reconcile demo on" "$work/out" 2>/dev/null && return 0; sleep 0.1; done
    return 1
}
check "scripts/run --demo starts and says where it is" start_demo
check "it serves on the given port" curl -fs "http://127.0.0.1:$port/readyz"
check "it prints a sign-in for every role" bash -c "for r in practitioner lead admin council; do grep -q \"^  \$r .*example.invalid\" '$work/out' || exit 1; done"
check "it prints each account's otpauth URI" test "$(grep -c 'otpauth://totp/' "$work/out")" -eq 4
check "its files are private" test "$(stat -c %a "$work/demo/accounts.txt")" = 600

staff_token() {  # staff_token ROLE: signs in with the printed email and password and the current code
    local email password code
    email=$(awk -F'\t' -v r="$1" '$1 == r { print $2 }' "$work/demo/accounts.txt")
    password=$(awk -F'\t' -v r="$1" '$1 == r { print $3 }' "$work/demo/accounts.txt")
    code=$("$root/scripts/demo-code" "$1")
    curl -fs -H 'Content-Type: application/json' "http://127.0.0.1:$port/api/v1/staff/session" \
        --data "{\"email\":\"$email\",\"password\":\"$password\",\"totp\":\"$code\"}" \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
lead=$(staff_token lead)
check "the lead signs in as printed" test -n "$lead"
count=$(curl -fs -H "Authorization: Bearer $lead" "http://127.0.0.1:$port/api/v1/cases?limit=1000" \
    | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["cases"]))')
check "the lead sees the 60 synthetic cases and the family's referral ($count)" test "$count" -eq 61
for role in practitioner admin council; do
    check "the $role signs in as printed" test -n "$(staff_token $role)"
done
read -r reference passphrase < <(sed -n 's/^ *reference and passphrase: //p' "$work/out")
check "the family signs in with the printed reference and passphrase" curl -fs -H 'Content-Type: application/json' \
    "http://127.0.0.1:$port/api/v1/portal/session" --data "{\"reference\":\"$reference\",\"passphrase\":\"$passphrase\"}"

kill -TERM "$demo"; wait "$demo"; rc=$?
check "Ctrl-C (SIGTERM) stops the demo gracefully ($rc)" test "$rc" -eq 0
check "the server is gone" bash -c "! curl -fs http://127.0.0.1:$port/readyz"
check "a second start reuses the same demo" start_demo
check "with the same family" grep -q "$reference" "$work/out"
kill -TERM "$demo"; wait "$demo"
after=$(find "$root/var/data" -type f -newer "$root/Package.swift" 2>/dev/null | wc -l)
check "./var/data is not touched by the demo" test "$before" -eq "$after"
