-- wrk script: POST a realistic referral per request (every contact field and a story of about 600 characters).
-- BENCH_CONTACT=distinct (default): each request its own email and phone, so no duplicate is ever found;
-- BENCH_CONTACT=same: every request the same email and phone (a family writing again and again, or a flood
-- reusing one number), so each referral's duplicate lookup meets every earlier one.
-- Prints the same machine-readable summary line as intake.lua.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local same = os.getenv("BENCH_CONTACT") == "same"
local story = string.rep("We would like someone to listen to what happened at school and what it has done to us. ", 7)
local counter, id = 0, 0
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "wrk_summary.lua")
local count_setup, count_init = setup, init
function setup(thread) thread:set("id", #threads + 1); count_setup(thread) end
function init(args) id = wrk.thread:get("id") or 1; count_init(args) end
function request()
  counter = counter + 1
  local n = same and 0 or (id * 10000000 + counter)
  local body = string.format(
    '{"contact":{"name":"Bench Family %d","email":"family%d@example.invalid","phone":"07700 %06d",' ..
    '"address":"%d Example Road, Hereford HR1 1AA","preference":"email","safe_to_leave_message":false,' ..
    '"safe_times":"weekday evenings after six"},"council_area":"herefordshire","referrer_role":"parent_or_carer",' ..
    '"setting":"secondary","harm":["sexual_harassment","online_or_image_based"],"when":"under_1_year",' ..
    '"told_before":["school"],"wishes":["to_be_listened_to","counselling"],"involvement":"harmed",' ..
    '"age_band":"13_to_15","heard_from":"school_or_college","story":"%s","consent":{"contact":true,"statistics":true}}',
    n, n, n % 1000000, n % 1000, story)
  return wrk.format(nil, nil, nil, body)
end
