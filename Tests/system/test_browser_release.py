#!/usr/bin/env python3
"""The release pages walked in headless Chromium (helpers from browser_kit): preview, release, reopen as a lead;
read, download and follow trends as a council officer. axe-core on every page; phone-width screenshots.

Environment: BASE_URL, ARTEFACTS, TOTP, LEAD_URI, OFFICER_URI.
"""
import os, time, traceback, urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

import browser_kit
from browser_kit import BASE, audit, check, driver, navigating, shot, sign_in, sign_out, submit, totp, visit


def at_360(name):
    """The narrowest phone the service is built for: nothing may scroll sideways."""
    driver.set_window_size(360, 800)
    wide = driver.execute_script("return document.documentElement.scrollWidth > window.innerWidth + 1")
    check(f"{name} fits 360 px without sideways scrolling", not wide)
    driver.set_window_size(1280, 1000)


try:
    started = time.time()
    sign_in("/staff/sign-in", "lead@example.org", "lead password 123", totp(os.environ["LEAD_URI"]))
    visit("/staff/themes?quarter=2025-Q1&area=herefordshire", "themes and reports (before release)")
    page = driver.page_source
    check("the lead sees what is due", "Reports due" in page and "for Herefordshire: due" in page)
    check("the release page offers a preview, not a blind release", 'action="/staff/reports/preview"' in page
          and 'action="/staff/reports/release"' not in page)
    shot("release-themes", phone=True)
    at_360("release-themes")
    navigating(driver.find_element(By.CSS_SELECTOR, 'form[action="/staff/reports/preview"] button[type="submit"]'))
    audit("release preview")
    page = driver.page_source
    check("the preview says it is not yet released", "Preview, not released." in page)
    check("the preview names Herefordshire's own levels of need", "Statutory social care" in page and "Acute or specialist" not in page)
    check("the preview lists the counts hidden beyond the threshold", 'id="hidden"' in page)
    shot("release-preview", phone=True)
    at_360("release-preview")
    submit("/staff/reports/release")
    check("the lead releases from under the preview", "Report released." in driver.page_source)
    navigating(driver.find_element(By.PARTIAL_LINK_TEXT, "2025-Q1"))
    audit("released report (lead)")
    check("the lead opens the released report with its spreadsheet", bool(driver.find_elements(By.PARTIAL_LINK_TEXT, "spreadsheet")))
    shot("release-opened", phone=True)
    at_360("release-opened")
    sign_out()

    sign_in("/council/sign-in", "officer@herefordshire.example", "officer password 1", totp(os.environ["OFFICER_URI"]))
    audit("council report list")
    page = driver.page_source
    check("the council pages carry their own title", "Reconciliation service: reports for the council" in driver.title
          and "Reconcile staff" not in page)
    check("no staff audit footer on council pages", "audit log" not in page)
    check("the officer is told how to check a report with OpenSSL", "openssl pkeyutl -verify -pubin -inkey key.pem -rawin" in page)
    shot("council-list", phone=True)
    at_360("council-list")
    navigating(driver.find_element(By.LINK_TEXT, "2025-Q1"))
    audit("council report page")
    page = driver.page_source
    check("the report reads Herefordshire's levels of need", "Level 4: Statutory social care" in page)
    link = driver.find_element(By.PARTIAL_LINK_TEXT, "Report as a spreadsheet")
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
    with urllib.request.urlopen(urllib.request.Request(link.get_attribute("href"), headers={"Cookie": cookie})) as answer:
        body = answer.read()
        check("the spreadsheet link downloads an ODS file", answer.headers["Content-Type"] == "application/vnd.oasis.opendocument.spreadsheet"
              and body[:2] == b"PK" and b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet" in body[:100])
    check("the PEM key is linked", bool(driver.find_elements(By.CSS_SELECTOR, 'a[href="/api/v1/council/public-key?format=pem"]')))
    shot("council-report-page", phone=True)
    at_360("council-report-page")
    navigating(driver.find_element(By.LINK_TEXT, "Trends"))
    audit("council trends")
    groups = [g.get_attribute("label") for g in driver.find_elements(By.CSS_SELECTOR, "#figure optgroup")]
    check("the trends picker is grouped by table", groups[:2] == ["Headline figures", "Referrals by who referred"] and len(groups) > 20)
    Select(driver.find_element(By.ID, "figure")).select_by_value("level_of_need.4")
    navigating(driver.find_element(By.CSS_SELECTOR, 'form[action="/council/trends"] button[type="submit"]'))
    audit("council trends (level of need)")
    check("the trend is titled in plain words", "Level of need at first assessment: Level 4: Statutory social care" in driver.page_source)
    shot("council-trends-grouped", phone=True)
    at_360("council-trends-grouped")
    sign_out()
    print(f"# release walk took {time.time() - started:.0f} s; axe on {len(browser_kit.axe_pages)} pages", flush=True)
except Exception:
    traceback.print_exc()
    try:
        driver.save_screenshot(os.path.join(browser_kit.ARTEFACTS, "release-failure.png"))
    except Exception:
        pass
    check("the release walk ran to the end", False)
finally:
    browser_kit.finish()
