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
