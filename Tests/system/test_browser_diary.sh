#!/usr/bin/env bash
# Appointments and the diary in headless Chromium with axe-core (test_browser_diary.py): a practitioner plans an
# appointment from the case page, finds it in the diary by day and by week, moves it, sees it as the family does in
# the portal, and once its hour has passed records it as held (the case shows the listening session); at 360 px too,
# and no page needs script.
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
browser_prerequisites
staff_server "LEAD_URI=lead@example.org:lead:lead password 123" "PAT_URI=pat@example.org:practitioner:pat password 1234"
BASE_URL="http://127.0.0.1:$port" ARTEFACTS="$here/artefacts" TOTP="$here/../SodiumTests/independent_totp.py" DATABASE="$D/reconcile.sqlite" \
  timeout 180 python3 "$here/test_browser_diary.py" || echo "FAIL test_browser_diary.py exited $?"
check "no failed request in the server's log" bash -c "! grep -q 'request failed' '$work/serve.log'"
check "no appointment note in the server's log" bash -c "! grep -q 'DiaryNote' '$work/serve.log'"
