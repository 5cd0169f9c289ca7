# Helpers for system tests: each check prints "ok <what>" or "FAIL <what>".
bin="$(realpath "$1")"
work=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
check() { local what="$1"; shift; if "$@" >/dev/null 2>&1; then echo "ok $what"; else echo "FAIL $what"; fi; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_ready() { for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$1/readyz" >/dev/null && return 0; sleep 0.1; done; return 1; }
# The shipped policy files, wherever the test runs from.
export RECONCILE_POLICIES_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../policies" && pwd)"
# A valid referral whose personal values carry the canary: referral_json CANARY [PREFERENCE].
referral_json() {
  printf '%s' '{"contact":{"name":"'"$1"' Name","email":"'"$1"'@example.org","preference":"'"${2:-email}"'","safe_to_leave_message":false},
 "council_area":"shropshire","referrer_role":"parent_or_carer","setting":"secondary","harm":["sexual_assault"],
 "when":"1_to_3_years","told_before":["school"],"wishes":["to_be_listened_to"],"story":"told by '"$1"'",
 "consent":{"contact":true,"statistics":true}}'
}

# For the browser walks: without Chromium, chromedriver, Selenium and axe a walk cannot run (one FAIL line, and stop).
browser_prerequisites() {
  command -v chromedriver >/dev/null && python3 -c 'import selenium, axe_selenium_python' 2>/dev/null && return 0
  echo "FAIL browser test prerequisites (run scripts/install-system-packages --test)"; exit 0
}
# staff_server VAR=EMAIL:ROLE:PASSWORD ...: keys, a database and these accounts (each one's otpauth URI exported as
# VAR), then `serve` on a free port ($port, its log $work/serve.log), checked ready. Sets K and D.
staff_server() {
  K="$work/keys"; D="$work/data"
  export RECONCILE_SECURITY_PASSWORD_HASH_COST=minimum RECONCILE_LIMITS_LOGIN_FAILURES=0 RECONCILE_LIMITS_INTAKE_PER_MINUTE=0
  "$bin" keys init --key-dir "$K" >/dev/null && "$bin" migrate --data-dir "$D" >/dev/null
  local spec var rest email role
  for spec in "$@"; do
    var=${spec%%=*}; rest=${spec#*=}; email=${rest%%:*}; rest=${rest#*:}; role=${rest%%:*}
    export "$var=$(printf '%s\n' "${rest#*:}" | "$bin" user add --data-dir "$D" --key-dir "$K" --email "$email" --role "$role" --password-stdin)"
  done
  port=$(free_port)
  "$bin" serve --data-dir "$D" --key-dir "$K" --host 127.0.0.1 --port "$port" >"$work/serve.log" 2>&1 &
  check "serve becomes ready" wait_ready "$port"
  mkdir -p "$here/artefacts"
}
