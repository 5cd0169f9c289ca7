#!/usr/bin/env bash
# The practitioner's desk in headless Chromium with axe-core (test_browser_desk.py): a lead finds a new family by
# reference from the search box and assigns it from the list; the practitioner's home shows what is due; search by
# email; a follow-up set and cleared; completed after listening alone; the chronology printed to PDF without a form
# control; a second referral from one family closed as a duplicate, the family told in the portal where it goes on.
# Then the server's log is searched for every term that was typed: none may be there.
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
browser_prerequisites
staff_server "LEAD_URI=lead@example.org:lead:lead password 123" "PAT_URI=pat@example.org:practitioner:pat password 1234"
BASE_URL="http://127.0.0.1:$port" ARTEFACTS="$here/artefacts" TOTP="$here/../SodiumTests/independent_totp.py" TERMS_FILE="$work/terms" \
  timeout 240 python3 "$here/test_browser_desk.py" || echo "FAIL test_browser_desk.py exited $?"
check "the walk typed its search terms" test -s "$work/terms"
while IFS= read -r term; do
  check "no search term in the server's log ($(printf '%s' "$term" | head -c 3)...)" bash -c "! grep -qiF -- \"\$1\" '$work/serve.log'" _ "$term"
done <"$work/terms"
check "no failed request in the server's log" bash -c "! grep -q 'request failed' '$work/serve.log'"
