#!/usr/bin/env python3
"""Meetings and families' own words walked in headless Chromium (helpers from browser_kit): a referral by the API; the
lead records a meeting request and its course on the case page; the family reads it in the portal, in plain words and in
Polish; the family writes their words for the council with consent; the lead approves them. axe-core on every page;
nothing may scroll sideways at 360 px.

Environment: BASE_URL, ARTEFACTS, TOTP, LEAD_URI, LEAD2_URI.
"""
import json, os, traceback, urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

import browser_kit
from browser_kit import BASE, audit, check, driver, fill, navigating, shot, sign_in, sign_out, submit, totp, visit


def at_360(name):
    driver.set_window_size(360, 800)
    wide = driver.execute_script("return document.documentElement.scrollWidth > window.innerWidth + 1")
    check(f"{name} fits 360 px without sideways scrolling", not wide)
    driver.set_window_size(1280, 1000)


def refer():
    body = {"contact": {"name": "Walk Family", "email": "walk@example.org", "preference": "portal", "safe_to_leave_message": False},
            "council_area": "shropshire", "referrer_role": "parent_or_carer", "setting": "secondary", "harm": ["sexual_harassment"],
            "when": "under_1_year", "told_before": ["school"], "wishes": ["reconciliation_meeting"],
            "consent": {"contact": True, "statistics": True}}
    request = urllib.request.Request(BASE + "/api/v1/referrals", data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        answer = json.load(response)
    return answer["reference"], answer["passphrase"]


def portal_sign_in(reference, passphrase):
    visit("/portal", "portal sign-in")
    fill("reference", reference)
    fill("passphrase", passphrase)
    navigating(driver.find_element(By.CSS_SELECTOR, 'form[action="/portal"] button[type="submit"]'))


try:
    reference, passphrase = refer()
    sign_in("/staff/sign-in", "lead@example.org", "lead password 123", totp(os.environ["LEAD_URI"]))
    visit("/staff/cases", "case list")
    navigating(driver.find_element(By.PARTIAL_LINK_TEXT, reference))
    audit("case page with meetings")
    page = driver.page_source
    check("the case page says there is no meeting with the other child's family",
          "There is no meeting with the other child&#39;s family" in page or "There is no meeting with the other child's family" in page)
    options = [o.get_attribute("value") for o in driver.find_elements(By.CSS_SELECTOR, "#mt-party option")]
    check("the parties are the institutions only", options == ["school_or_college", "council_childrens_services", "council_education", "other_organisation"])
    Select(driver.find_element(By.ID, "mt-party")).select_by_value("school_or_college")
    fill("mt-note", "CANARYNOTE head of year")
    submit("/meetings")
    check("the request is recorded", "The family&#39;s request for a meeting has been recorded." in driver.page_source
          or "The family's request for a meeting has been recorded." in driver.page_source)
    status = driver.find_element(By.CSS_SELECTOR, 'select[id^="mt-status-"]')
    Select(status).select_by_value("accepted")
    navigating(status.find_element(By.XPATH, "./ancestor::form//button[@type='submit']"))
    check("its course is recorded", "Accepted by the other side" in driver.page_source)
    shot("voices-case-meeting", phone=True)
    at_360("case page with meetings")
    sign_out()

    portal_sign_in(reference, passphrase)
    audit("portal case page with a meeting")
    check("the family reads the meeting in plain words", "With the school or college: they have said yes." in driver.page_source)
    check("the staff's note is not shown to the family", "CANARYNOTE" not in driver.page_source)
    shot("voices-portal-meeting", phone=True)
    at_360("portal case page")
    visit("/portal/case?lang=pl", "portal case page in Polish")
    check("and in Polish", "szkoła lub college: zgodzili się." in driver.page_source)
    visit("/portal/case?lang=en", "portal case page in English")

    # The family's own words, with consent asked apart and in plain words.
    navigating(driver.find_element(By.CSS_SELECTOR, 'a[href="/portal/voice"]'))
    audit("portal: your words for the council")
    check("the consent says the words cannot be taken back once sent", "cannot be taken back" in driver.page_source)
    fill("voice-text", "Plainwords nobody told us what would happen next.")
    submit("/portal/voice")
    check("without the tick nothing is saved, and the page says why", "Please tick the box" in driver.page_source)
    driver.back()
    driver.get(BASE + "/portal/voice")
    fill("voice-text", "Plainwords nobody told us what would happen next.")
    driver.find_element(By.ID, "voice-consent").click()
    submit("/portal/voice")
    check("the family sees their words are waiting for review", "We have your words." in driver.page_source)
    audit("portal: words offered")
    shot("voices-portal-words", phone=True)
    at_360("portal: your words")
    navigating(driver.find_element(By.CSS_SELECTOR, 'form[action="/portal/sign-out"] button'))

    sign_in("/staff/sign-in", "lead2@example.org", "lead password 123", totp(os.environ["LEAD2_URI"]))
    visit("/staff/voices?area=shropshire", "lead: families' words")
    check("the lead reads the words", "nobody told us what would happen next" in driver.page_source)
    submit("/approve")
    check("the lead approves them", "Approved." in driver.page_source)
    shot("voices-lead", phone=True)
    at_360("lead: families' words")
    sign_out()
except Exception:
    traceback.print_exc()
    check("the walk ran to the end", False)
browser_kit.finish()
