#!/usr/bin/env bash
# Reconciliation itself in headless Chromium with axe-core: a lead records a family's request for a meeting on the case
# page (which says there is no meeting with the other child's family) and its course; the family reads it in their
# portal in plain words; the family writes their own words for the council with explicit consent and the lead reviews
# them. Each page at desktop and phone width (360 px). Screenshots go to Tests/system/artefacts/.
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
browser_prerequisites
# Two leads: a TOTP code never works twice, and the two sign-ins may fall in the same 30-second step.
staff_server "LEAD_URI=lead@example.org:lead:lead password 123" "LEAD2_URI=lead2@example.org:lead:lead password 123"
BASE_URL="http://127.0.0.1:$port" ARTEFACTS="$here/artefacts" TOTP="$here/../SodiumTests/independent_totp.py" \
  timeout 180 python3 "$here/test_browser_voices.py" || echo "FAIL test_browser_voices.py exited $?"
check "the server logs hold none of the family's words and no failed request" \
  bash -c "! grep -q -e 'request failed' -e 'Plainwords' -e 'CANARYNOTE' '$work/serve.log'"
