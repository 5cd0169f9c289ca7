#!/usr/bin/env python3
"""Appointments and the diary walked in headless Chromium (helpers from browser_kit): plan from the case page, the
diary by day and by week, move, the family's portal, and record as held once the hour has passed (the database's
clock is moved back for that one appointment, as time would). axe-core on every page; 360 px; no page carries script.

Environment: BASE_URL, ARTEFACTS, TOTP, LEAD_URI, PAT_URI, DATABASE (the server's SQLite file).
"""
import json, os, sqlite3, traceback, urllib.request, uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from selenium.webdriver.common.by import By

import browser_kit
from browser_kit import BASE, audit, check, click, driver, navigating, shot, sign_in, submit, totp, visit

canary = "Diary" + uuid.uuid4().hex[:8]


def api(method, path, token=None, body=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    request = urllib.request.Request(BASE + path, data=json.dumps(body).encode() if body is not None else None, method=method,
                                     headers=headers)
    with urllib.request.urlopen(request) as response:
        return json.load(response)


def new_family():
    """A referral through the intake API; its reference and passphrase."""
    made = api("POST", "/api/v1/referrals", body={
        "contact": {"name": f"Robin {canary}", "email": f"{canary.lower()}@example.net", "preference": "email",
                    "safe_to_leave_message": False},
        "council_area": "herefordshire", "referrer_role": "parent_or_carer", "setting": "primary", "harm": ["online_or_image_based"],
        "when": "under_1_year", "told_before": ["none"], "wishes": ["to_be_listened_to"],
        "consent": {"contact": True, "statistics": True}})
    return made["reference"], made["passphrase"]


def phone_width(name):
    driver.set_window_size(360, 800)
    check(f"{name} fits 360 px", not driver.execute_script("return document.documentElement.scrollWidth > window.innerWidth + 1"))
    driver.set_window_size(1280, 1000)


def no_script(name):
    check(f"{name} carries no script", "<script" not in driver.page_source)


def set_value(element_id, value):
    driver.execute_script("document.getElementById(arguments[0]).value = arguments[1]", element_id, value)


try:
    reference, passphrase = new_family()
    # The lead assigns the case and records first contact through the API (its own sign-in code).
    lead = api("POST", "/api/v1/staff/session", body={"email": "lead@example.org", "password": "lead password 123",
                                                      "totp": totp(os.environ["LEAD_URI"])})["token"]
    case_id = next(c["id"] for c in api("GET", "/api/v1/cases", lead)["cases"] if c["reference"] == reference)
    api("POST", f"/api/v1/cases/{case_id}/assign", lead, {"practitioner": "pat@example.org"})
    api("POST", f"/api/v1/cases/{case_id}/acknowledge", lead, {"method": "phone"})

    # 1. Plan it from the case page: a London date and time.
    sign_in("/staff/sign-in", "pat@example.org", "pat password 1234", totp(os.environ["PAT_URI"]))
    day = (datetime.now(ZoneInfo("Europe/London")).date() + timedelta(days=2)).isoformat()
    visit(f"/staff/cases/{case_id}", "case page (before planning)")
    set_value("ap-date", day)
    set_value("ap-time", "10:00")
    click("ap-video")
    driver.find_element(By.ID, "ap-note").send_keys(f"Bring the leaflet {canary}")
    submit("/appointments")
    page = driver.page_source
    check("the appointment is planned and shown in London time", "Appointment planned." in page and ", 10:00</strong>" in page
          and "with pat@example.org" in page)
    audit("case page (appointment planned)")
    driver.find_element(By.ID, "appointments-h").location_once_scrolled_into_view
    shot("staff-case-appointments")
    no_script("the case page")
    phone_width("case page (appointment planned)")

    # 2. The diary by day, then by week (from the case page's link and the header).
    navigating(driver.find_element(By.LINK_TEXT, "Open the diary"))
    navigating(driver.find_element(By.LINK_TEXT, "Next day"))
    navigating(driver.find_element(By.LINK_TEXT, "Next day"))
    audit("diary (day)")
    page = driver.page_source
    check("the day's diary lists the appointment", reference in page and "10:00 to 11:00" in page and canary not in page)
    no_script("the diary")
    phone_width("diary (day)")
    navigating(driver.find_element(By.LINK_TEXT, "Show the week"))
    audit("diary (week)")
    check("the week's diary lists it under its day", reference in driver.page_source and "Week of" in driver.page_source)
    shot("staff-diary-week", phone=True)
    phone_width("diary (week)")
    navigating(driver.find_element(By.CSS_SELECTOR, 'nav.staff-nav a[href="/staff/diary"]'))
    check("the header's Diary link opens today's diary", "(today)" in driver.page_source)

    # 3. Move it an hour and a half later.
    visit(f"/staff/cases/{case_id}", "case page (to move)")
    appointment = driver.find_element(By.CSS_SELECTOR, "li[id^='appointment-']").get_attribute("id").removeprefix("appointment-")
    driver.find_element(By.CSS_SELECTOR, f"#appointment-{appointment} details summary").click()
    set_value(f"mv-time-{appointment}", "11:30")
    navigating(driver.find_element(By.ID, f"move-{appointment}"))
    page = driver.page_source
    check("moved", "The appointment has been updated." in page and ", 11:30</strong>" in page and "Moved" in page)
    visit(f"/staff/diary?date={day}", "diary (moved)")
    check("the diary shows the new time", "11:30 to 12:30" in driver.page_source and "10:00 to 11:00" not in driver.page_source)

    # 4. The family sees it in the portal: when (London time) and how, never with whom, never the note. (The portal
    # session sits beside the staff one: a different cookie.)
    visit("/portal", "portal sign-in")
    browser_kit.fill("reference", reference)
    browser_kit.fill("passphrase", passphrase)
    navigating(driver.find_element(By.CSS_SELECTOR, 'form[action="/portal"] button[type="submit"]'))
    audit("portal (an appointment planned)")
    page = driver.page_source
    check("the family sees the appointment's day, time and kind", "Your appointments" in page and "at 11:30, by video call" in page
          and "The time has changed." in page)
    check("the family never sees who with or the note", "pat@example.org" not in page and canary not in page)
    phone_width("portal (an appointment planned)")

    # 5. The hour passes (its start moved into the past in the database, as the clock would), then it is held.
    with sqlite3.connect(os.environ["DATABASE"], timeout=10) as db:
        db.execute("""UPDATE case_appointment SET starts_at = strftime('%Y-%m-%d %H:%M:%f', 'now', '-2 hours'),
                      ends_at = strftime('%Y-%m-%d %H:%M:%f', 'now', '-1 hours') WHERE id = ?""", (appointment,))
    visit(f"/staff/cases/{case_id}", "case page (to record as held)")
    for box in driver.find_elements(By.CSS_SELECTOR, f'form[action$="/appointments/{appointment}"] textarea[required]'):
        box.send_keys("Listened; agreed to talk again")
    navigating(driver.find_element(By.ID, f"hold-{appointment}"))
    page = driver.page_source
    check("held: the case shows the listening session and moved on", "The appointment has been updated." in page
          and "Held" in page and "60 minutes, video" in page)
    audit("case page (held)")
    phone_width("case page (held)")
except Exception:
    traceback.print_exc()
    check("the diary walk ran to the end", False)
browser_kit.finish()
