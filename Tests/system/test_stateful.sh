#!/usr/bin/env bash
# The stateful fuzzer (stateful_driver.py) against the running binary: every role signed in with TOTP, real
# referrals and portal sessions, then random sequences of every case, portal, report and page action with valid,
# nearly valid and hostile bodies. Nothing may crash the process or answer 5xx, /readyz stays 200, serve stops
# cleanly and `reconcile check` passes afterwards.
#   bash test_stateful.sh BIN [driver options: --seed N, --seconds S, --keep-going, --journal FILE]
# Time: RECONCILE_FUZZ_SECONDS (default 90); the seed is printed first, so a failure replays with --seed.
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
K="$work/keys"; D="$work/data"
export RECONCILE_SECURITY_PASSWORD_HASH_COST=minimum RECONCILE_LIMITS_INTAKE_PER_MINUTE=0 RECONCILE_LIMITS_LOGIN_FAILURES=0 \
  RECONCILE_LIMITS_FAMILY_COMPLAINTS_PER_DAY=0
"$bin" keys init --key-dir "$K" >/dev/null && "$bin" migrate --data-dir "$D" >/dev/null
# label, role, email, password, otpauth URI: one account a line, for the driver.
add() {
  local uri; uri=$(printf '%s\n' "$4" | "$bin" user add --data-dir "$D" --key-dir "$K" --email "$3" --role "$2" ${5:+--council-area "$5"} --password-stdin)
  printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$uri" >>"$work/accounts"
}
add lead lead lead@example.org 'lead password 123'
add pat1 practitioner pat1@example.org 'pat1 password 1234'
add pat2 practitioner pat2@example.org 'pat2 password 1234'
add admin admin admin@example.org 'admin password 12'
add council council officer@example.org 'officer password 1' shropshire
check "five accounts made, one for every role" test "$(wc -l <"$work/accounts")" = 5
# A past quarter with worked cases, so releases, corrections and the council's reports have something to show.
"$bin" demo seed --data-dir "$D" --key-dir "$K" --cases 30 --council-area shropshire --quarter 2025-Q1 --seed 7 >/dev/null

python3 "$here/stateful_driver.py" --bin "$bin" --data-dir "$D" --key-dir "$K" --accounts "$work/accounts" \
  --server-log "$work/serve.log" --findings "$work/findings.json" "${@:2}"
rc=$?
check "stateful fuzzer: no crash, no 5xx, readyz 200 throughout, serve stopped cleanly (exit $rc)" test "$rc" = 0
out=$("$bin" check --data-dir "$D" --key-dir "$K" 2>&1); crc=$?
check "reconcile check passes after the fuzzing" test "$crc" = 0
[[ $crc -ne 0 ]] && sed 's/^/  check: /' <<<"$out" | grep -v '^  check: *$' | head -20
check "the server log holds no password" bash -c "! grep -qE 'password 123|password 1234|password 12|password 1' '$work/serve.log'"
