#!/usr/bin/env python3
"""The practitioner's desk walked in headless Chromium (helpers from browser_kit): search by reference and by email
from the box on every staff page, assignment from the list, the home page of what is due, a follow-up set and
cleared, completed after listening alone, the chronology printed to PDF (which must hold no form control), and a
second referral from one family closed as a duplicate (the family told in the portal where it goes on), and the
lead's email alerts saved from their form.
axe-core on every page; 360 px checks.

Environment: BASE_URL, ARTEFACTS, TOTP, LEAD_URI, PAT_URI, TERMS_FILE (the terms typed are written there, so the
shell can grep the server's log for them).
"""
import base64, json, os, time, traceback, urllib.request, uuid

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

import browser_kit
from browser_kit import BASE, audit, check, click, driver, fill, navigating, shot, sign_in, sign_out, submit, totp, visit

canary = "Desk" + uuid.uuid4().hex[:8]
email = f"{canary.lower()}@example.net"
other_email = f"other{canary.lower()}@example.net"


def refer(name, address, whole=False):
    body = {"contact": {"name": name, "email": address, "preference": "email", "safe_to_leave_message": False},
            "council_area": "herefordshire", "referrer_role": "parent_or_carer", "setting": "secondary",
            "harm": ["sexual_harassment"], "when": "under_1_year", "told_before": ["school"], "wishes": ["to_be_listened_to"],
            "consent": {"contact": True, "statistics": True}}
    request = urllib.request.Request(BASE + "/api/v1/referrals", data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        answer = json.load(response)
        return answer if whole else answer["reference"]


def at_360(name):
    driver.set_window_size(360, 800)
    wide = driver.execute_script("return document.documentElement.scrollWidth > window.innerWidth + 1")
    check(f"{name} fits 360 px without sideways scrolling", not wide)
    driver.set_window_size(1280, 1000)


def search(term):
    """Types into the search box in the page's header and sends it."""
    fill("site-search-q", term)
    navigating(driver.find_element(By.CSS_SELECTOR, 'form.site-search button[type="submit"]'))


try:
    reference = refer(f"Robin {canary}", email)
    other = refer(f"Sasha {canary}", other_email)
    typed_reference = reference.lower().replace("-", "")
    with open(os.environ["TERMS_FILE"], "w") as terms:
        terms.write("\n".join([email, other_email, canary]) + "\n")

    # 1. The lead: the team's desk, then the new family by reference from the header's box, assigned from the list.
    sign_in("/staff/sign-in", "lead@example.org", "lead password 123", totp(os.environ["LEAD_URI"]))
    visit("/staff", "home (lead)")
    page = driver.page_source
    check("the lead's home lists the unassigned cases and the caseloads",
          "Not yet assigned" in page and reference in page and "Caseloads" in page and "pat@example.org" in page)
    at_360("home (lead)")
    search(typed_reference)
    audit("search results (reference)")
    check("a reference typed in lower case without hyphens finds the case", reference in driver.page_source
          and "by reference" in driver.page_source)
    check("the search term is in no address", typed_reference not in driver.current_url and canary.lower() not in driver.current_url)
    navigating(driver.find_element(By.LINK_TEXT, reference))
    audit("case page (lead, received)")
    Select(driver.find_element(By.ID, "practitioner")).select_by_value("pat@example.org")
    check("the list says each practitioner's open cases", "pat@example.org, practitioner, 0 open cases" in driver.page_source)
    submit("/assign")
    check("the timeline says who assigned whom", "Assigned to pat@example.org, by lead@example.org" in driver.page_source)
    # The lead's email alerts: the form shows every box, so what is left unticked is saved as no.
    visit("/staff/notifications", "email alerts (lead)")
    check("a lead's alerts start with new referrals ticked", driver.find_element(By.ID, "new_referral").is_selected())
    click("new_referral")
    click("digest_only")
    click("area-herefordshire")
    submit("/staff/notifications")
    audit("email alerts saved (lead)")
    ticked = {box: driver.find_element(By.ID, box).is_selected() for box in ("new_referral", "digest_only", "area-herefordshire", "overdue")}
    check("the alerts page says the choices are saved and shows them as chosen",
          "Your choices are saved." in driver.page_source
          and ticked == {"new_referral": False, "digest_only": True, "area-herefordshire": True, "overdue": True})
    at_360("the email alerts page")
    sign_out()

    # 2. The practitioner: what is due, search by email, the case's work.
    sign_in("/staff/sign-in", "pat@example.org", "pat password 1234", totp(os.environ["PAT_URI"]))
    visit("/staff", "home (practitioner)")
    check("the practitioner's home counts an acknowledgement due", "Acknowledgements due" in driver.page_source
          and reference in driver.page_source)
    shot("staff-home", phone=True)
    at_360("home (practitioner)")
    search(other_email)
    check("another family's email finds nothing for this practitioner", "No case you may open matches." in driver.page_source
          and other not in driver.page_source)
    search("  " + email.upper() + " ")
    audit("search results (email)")
    check("their family's email finds their case", reference in driver.page_source and f"Robin {canary}" in driver.page_source)
    navigating(driver.find_element(By.LINK_TEXT, reference))
    case_url = driver.current_url.split("?")[0]
    click("ack-phone")
    submit("/acknowledge")
    check("acknowledged", "Acknowledgement recorded." in driver.page_source)
    check("completed is not offered before a listening session", not driver.find_elements(By.ID, "close-completed"))
    today = time.strftime("%Y-%m-%d")
    driver.execute_script("document.getElementById('fu-due').value = arguments[0]", today)
    fill("fu-note", "Call about the school's reply")
    submit("/follow-ups")
    check("follow-up set", "Follow-up set." in driver.page_source and "Call about the school" in driver.page_source)
    audit("case page (follow-up set)")
    visit("/staff", "home (follow-up due)")
    check("the follow-up is due on the home page", "Follow-ups due" in driver.page_source and reference in driver.page_source)
    driver.get(case_url)
    navigating(driver.find_element(By.CSS_SELECTOR, 'form[action*="/follow-ups/"][action$="/done"] button'))
    check("follow-up cleared", "Follow-up marked done." in driver.page_source)
    driver.execute_script("document.getElementById('ls-date').value = arguments[0]", today)
    fill("ls-minutes", "40")
    click("ls-phone")
    for box in driver.find_elements(By.CSS_SELECTOR, 'form[action$="/listening-sessions"] textarea[required]'):
        box.send_keys("Listened; they wanted nothing more")
    submit("/listening-sessions")
    check("listening session recorded", "Listening session recorded." in driver.page_source)
    check("completed is offered after listening alone", bool(driver.find_elements(By.ID, "close-completed")))
    click("close-completed")
    submit("/close")
    check("closed as completed", "The case has been closed." in driver.page_source and "Completed" in driver.page_source)

    # 3. The chronology, printed.
    navigating(driver.find_element(By.LINK_TEXT, "Chronology to print"))
    audit("chronology")
    page = driver.page_source
    check("the chronology lists the work in order with who did it",
          page.find("Referral received") < page.find("Assigned to pat@example.org") < page.find("Acknowledged")
          < page.find("Listening session") and "pat@example.org" in page)
    at_360("chronology")
    pdf = base64.b64decode(driver.execute_cdp_cmd("Page.printToPDF", {"printBackground": False})["data"])
    with open(os.path.join(browser_kit.ARTEFACTS, "chronology.pdf"), "wb") as out:
        out.write(pdf)
    check("the printed chronology is a PDF with no form control", pdf.startswith(b"%PDF") and b"/AcroForm" not in pdf
          and b"/Widget" not in pdf)
    sign_out()

    # 4. Sasha's family writes again: the lead closes the new referral as a duplicate of the first, and the family,
    # signing in with the new reference, is told where the conversation goes on.
    again = refer(f"Sasha {canary}", other_email, whole=True)
    sign_in("/staff/sign-in", "lead@example.org", "lead password 123", totp(os.environ["LEAD_URI"], 30))
    search(again["reference"])
    navigating(driver.find_element(By.LINK_TEXT, again["reference"]))
    check("the possible duplicate is shown by its reference and filled in",
          driver.find_element(By.ID, "duplicate-case").get_attribute("value") == other)
    submit("/close-as-duplicate")
    audit("case page (closed as a duplicate)")
    check("closed as a duplicate of the first referral", "closed as a duplicate" in driver.page_source
          and f"Closed as a duplicate of" in driver.page_source and other in driver.page_source)
    sign_out()
    driver.get(BASE + "/portal")
    fill("reference", again["reference"])
    fill("passphrase", again["passphrase"])
    navigating(driver.find_element(By.CSS_SELECTOR, 'form[action="/portal"] button[type="submit"]'))
    audit("portal (closed as a duplicate)")
    check("the family is told the reference the conversation goes on under", other in driver.page_source
          and "other reference" in driver.page_source)
    at_360("portal (closed as a duplicate)")
    navigating(driver.find_element(By.CSS_SELECTOR, 'form[action="/portal/sign-out"] button'))
except Exception:
    traceback.print_exc()
    check("the desk walk ran to the end", False)
browser_kit.finish()
