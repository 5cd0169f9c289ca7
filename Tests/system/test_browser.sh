#!/usr/bin/env bash
# The staff and council pages in a real browser (headless Chromium driven by Selenium), with axe-core
# accessibility checks on every page visited and screenshots in Tests/system/artefacts/.
# Needs what `scripts/install-system-packages --test` installs: chromium, chromium-driver, selenium, axe-selenium-python.
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
if ! command -v chromedriver >/dev/null || ! python3 -c 'import selenium, axe_selenium_python' 2>/dev/null; then
  echo "FAIL browser test prerequisites (run scripts/install-system-packages --test)"; exit 0
fi
K="$work/keys"; D="$work/data"
export RECONCILE_SECURITY_PASSWORD_HASH_COST=minimum RECONCILE_LIMITS_INTAKE_PER_MINUTE=0 RECONCILE_LIMITS_LOGIN_FAILURES=0
"$bin" keys init --key-dir "$K" >/dev/null && "$bin" migrate --data-dir "$D" >/dev/null
add() { printf '%s\n' "$3" | "$bin" user add --data-dir "$D" --key-dir "$K" --email "$1" --role "$2" ${4:+--council-area "$4"} --password-stdin; }
export LEAD_URI=$(add lead@example.org lead 'lead password 123')
export PAT_URI=$(add pat@example.org practitioner 'pat password 1234')
export OFFICER_URI=$(add officer@example.org council 'officer password 1' shropshire)
# A past quarter with cases, for the lead to release from the page.
"$bin" demo seed --data-dir "$D" --key-dir "$K" --cases 40 --council-area shropshire --quarter 2025-Q1 --seed 7 >/dev/null
port=$(free_port)
"$bin" serve --data-dir "$D" --key-dir "$K" --host 127.0.0.1 --port "$port" >"$work/serve.log" 2>&1 &
check "serve becomes ready" wait_ready "$port"
mkdir -p "$here/artefacts"
BASE_URL="http://127.0.0.1:$port" ARTEFACTS="$here/artefacts" TOTP="$here/../SodiumTests/independent_totp.py" \
  timeout 420 python3 "$here/test_browser.py" || echo "FAIL test_browser.py exited $?"
check "the server log holds no password" bash -c "! grep -qE 'password 123|pat password|officer password' '$work/serve.log'"
