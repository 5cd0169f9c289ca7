-- wrk script: POST one valid referral per request (portal contact, no personal fields), then print a
-- machine-readable summary line for Benchmarks/run. Every request is a new referral (no Idempotency-Key).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"contact":{"preference":"portal"},"council_area":"shropshire","referrer_role":"parent_or_carer",' ..
  '"setting":"secondary","harm":["sexual_harassment"],"when":"under_1_year","told_before":["school"],' ..
  '"wishes":["counselling"],"consent":{"contact":true,"statistics":true}}'

dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "wrk_summary.lua")
