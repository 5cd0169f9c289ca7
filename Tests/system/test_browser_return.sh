#!/usr/bin/env bash
# A shared phone keeps no trace, in a real browser: test_browser_return.py walks the family's sign-out and Back, the
# confirmation at 360 x 740, the passphrase box and the partner's new passphrase, twice: with the plain-HTTP loopback
# settings, and with server.public_url https (Secure __Host- cookies, HSTS; Clear-Site-Data counts on loopback either
# way, as Chromium treats http://127.0.0.1 as a secure context). Screenshots go to Tests/system/artefacts/.
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
if ! command -v chromedriver >/dev/null || ! python3 -c 'import selenium, axe_selenium_python' 2>/dev/null; then
  echo "FAIL browser test prerequisites (run scripts/install-system-packages --test)"; exit 0
fi
K="$work/keys"; D="$work/data"
export RECONCILE_SECURITY_PASSWORD_HASH_COST=minimum RECONCILE_LIMITS_INTAKE_PER_MINUTE=0 RECONCILE_LIMITS_LOGIN_FAILURES=0
"$bin" keys init --key-dir "$K" >/dev/null && "$bin" migrate --data-dir "$D" >/dev/null
# One lead per walk: a TOTP code never works twice, and the walks may fall in the same 30-second step.
lead_uri() { printf '%s\n' 'lead password 123' | "$bin" user add --data-dir "$D" --key-dir "$K" --email "$1" --role lead --password-stdin; }
declare -A uris=([http]=$(lead_uri lead-http@example.org) [https-public-url]=$(lead_uri lead-https-public-url@example.org))
mkdir -p "$here/artefacts"
for mode in http https-public-url; do
  port=$(free_port)
  public=""; [[ "$mode" == https-public-url ]] && public="https://127.0.0.1:$port"
  RECONCILE_SERVER_PUBLIC_URL="$public" "$bin" serve --data-dir "$D" --key-dir "$K" --host 127.0.0.1 --port "$port" >"$work/serve-$mode.log" 2>&1 &
  pid=$!
  check "serve becomes ready ($mode)" wait_ready "$port"
  MODE="$mode" LEAD_EMAIL="lead-$mode@example.org" LEAD_URI="${uris[$mode]}" BASE_URL="http://127.0.0.1:$port" ARTEFACTS="$here/artefacts" TOTP="$here/../SodiumTests/independent_totp.py" \
    timeout 180 python3 "$here/test_browser_return.py" || echo "FAIL test_browser_return.py ($mode) exited $?"
  kill -TERM "$pid"; wait "$pid" 2>/dev/null
done
check "the server logs hold no passphrase words and no failed request" bash -c "! grep -q 'request failed' '$work'/serve-*.log"
