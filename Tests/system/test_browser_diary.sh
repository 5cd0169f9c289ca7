#!/usr/bin/env bash
# Appointments and the diary in headless Chromium with axe-core (test_browser_diary.py): a practitioner plans an
# appointment from the case page, finds it in the diary by day and by week, moves it, sees it as the family does in
# the portal, and once its hour has passed records it as held (the case shows the listening session); at 360 px too,
# and no page needs script.
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
if ! command -v chromedriver >/dev/null || ! python3 -c 'import selenium, axe_selenium_python' 2>/dev/null; then
  echo "FAIL browser test prerequisites (run scripts/install-system-packages --test)"; exit 0
fi
K="$work/keys"; D="$work/data"
export RECONCILE_SECURITY_PASSWORD_HASH_COST=minimum RECONCILE_LIMITS_LOGIN_FAILURES=0 RECONCILE_LIMITS_INTAKE_PER_MINUTE=0
"$bin" keys init --key-dir "$K" >/dev/null && "$bin" migrate --data-dir "$D" >/dev/null
add() { printf '%s\n' "$3" | "$bin" user add --data-dir "$D" --key-dir "$K" --email "$1" --role "$2" --password-stdin; }
export LEAD_URI=$(add lead@example.org lead 'lead password 123')
export PAT_URI=$(add pat@example.org practitioner 'pat password 1234')
port=$(free_port)
"$bin" serve --data-dir "$D" --key-dir "$K" --host 127.0.0.1 --port "$port" >"$work/serve.log" 2>&1 &
check "serve becomes ready" wait_ready "$port"
mkdir -p "$here/artefacts"
BASE_URL="http://127.0.0.1:$port" ARTEFACTS="$here/artefacts" TOTP="$here/../SodiumTests/independent_totp.py" DATABASE="$D/reconcile.sqlite" \
  timeout 180 python3 "$here/test_browser_diary.py" || echo "FAIL test_browser_diary.py exited $?"
check "no failed request in the server's log" bash -c "! grep -q 'request failed' '$work/serve.log'"
check "no appointment note in the server's log" bash -c "! grep -q 'DiaryNote' '$work/serve.log'"
