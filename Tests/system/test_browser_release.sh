#!/usr/bin/env bash
# The release pages in headless Chromium with axe-core: a lead previews a quarter for Herefordshire (its own words
# for the levels of need), releases it under the preview and opens it again; the council officer reads it in the
# council's own pages, downloads the spreadsheet and follows a trend picked from a grouped list. Phone width too.
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
if ! command -v chromedriver >/dev/null || ! python3 -c 'import selenium, axe_selenium_python' 2>/dev/null; then
  echo "FAIL browser test prerequisites (run scripts/install-system-packages --test)"; exit 0
fi
K="$work/keys"; D="$work/data"
export RECONCILE_SECURITY_PASSWORD_HASH_COST=minimum RECONCILE_LIMITS_LOGIN_FAILURES=0
"$bin" keys init --key-dir "$K" >/dev/null && "$bin" migrate --data-dir "$D" >/dev/null
add() { printf '%s\n' "$3" | "$bin" user add --data-dir "$D" --key-dir "$K" --email "$1" --role "$2" ${4:+--council-area "$4"} --password-stdin; }
export LEAD_URI=$(add lead@example.org lead 'lead password 123')
export OFFICER_URI=$(add officer@herefordshire.example council 'officer password 1' herefordshire)
"$bin" demo seed --data-dir "$D" --key-dir "$K" --cases 40 --council-area herefordshire --quarter 2025-Q1 --seed 11 >/dev/null
port=$(free_port)
"$bin" serve --data-dir "$D" --key-dir "$K" --host 127.0.0.1 --port "$port" >"$work/serve.log" 2>&1 &
check "serve becomes ready" wait_ready "$port"
mkdir -p "$here/artefacts"
BASE_URL="http://127.0.0.1:$port" ARTEFACTS="$here/artefacts" TOTP="$here/../SodiumTests/independent_totp.py" \
  timeout 180 python3 "$here/test_browser_release.py" || echo "FAIL test_browser_release.py exited $?"
