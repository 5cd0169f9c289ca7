#!/usr/bin/env bash
# Reconciliation itself in headless Chromium with axe-core: a lead records a family's request for a meeting on the case
# page (which says there is no meeting with the other child's family) and its course; the family reads it in their
# portal in plain words; the family writes their own words for the council with explicit consent and the lead reviews
# them. Each page at desktop and phone width (360 px). Screenshots go to Tests/system/artefacts/.
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
if ! command -v chromedriver >/dev/null || ! python3 -c 'import selenium, axe_selenium_python' 2>/dev/null; then
  echo "FAIL browser test prerequisites (run scripts/install-system-packages --test)"; exit 0
fi
K="$work/keys"; D="$work/data"
export RECONCILE_SECURITY_PASSWORD_HASH_COST=minimum RECONCILE_LIMITS_LOGIN_FAILURES=0 RECONCILE_LIMITS_INTAKE_PER_MINUTE=0
"$bin" keys init --key-dir "$K" >/dev/null && "$bin" migrate --data-dir "$D" >/dev/null
# Two leads: a TOTP code never works twice, and the two sign-ins may fall in the same 30-second step.
lead() { printf '%s\n' 'lead password 123' | "$bin" user add --data-dir "$D" --key-dir "$K" --email "$1" --role lead --password-stdin; }
export LEAD_URI=$(lead lead@example.org) LEAD2_URI=$(lead lead2@example.org)
port=$(free_port)
"$bin" serve --data-dir "$D" --key-dir "$K" --host 127.0.0.1 --port "$port" >"$work/serve.log" 2>&1 &
check "serve becomes ready" wait_ready "$port"
mkdir -p "$here/artefacts"
BASE_URL="http://127.0.0.1:$port" ARTEFACTS="$here/artefacts" TOTP="$here/../SodiumTests/independent_totp.py" \
  timeout 180 python3 "$here/test_browser_voices.py" || echo "FAIL test_browser_voices.py exited $?"
check "the server logs hold none of the family's words and no failed request" \
  bash -c "! grep -q -e 'request failed' -e 'Plainwords' -e 'CANARYNOTE' '$work/serve.log'"
