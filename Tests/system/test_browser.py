#!/usr/bin/env python3
"""The whole service walked in headless Chromium: a family refers itself; a lead signs in with TOTP and
assigns; a practitioner works the case to closed; the lead releases a report; a council officer reads it.
axe-core runs on every page visited (no serious or critical violation allowed); key pages are saved as
screenshots (desktop and phone width) in $ARTEFACTS. Prints one "ok ..." or "FAIL ..." line per check.

Environment: BASE_URL, ARTEFACTS, TOTP (path of independent_totp.py), LEAD_URI, PAT_URI, OFFICER_URI.
"""
import os, re, sys, time, traceback

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

import browser_kit
from browser_kit import *  # noqa: F401,F403 -- check, audit, shot, visit, navigating, fill, click, submit, sign_in, ...

def without_javascript():
    """The young person's form in a Chromium with JavaScript switched off: it must still send."""
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1000"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    plain = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        # A local page whose script would change its text: it stays as written only with JavaScript off.
        plain.get("data:text/html,<p id=probe>off</p><script>document.getElementById('probe').textContent='on'</script>")
        check("JavaScript is off in the second browser", plain.find_element(By.ID, "probe").text == "off")
        plain.get(BASE + "/refer?as=young_person")
        for element_id in ("preference-portal", "council_area-worcestershire", "involvement-harmed", "age_band-16_to_17",
                           "parent_knows-prefer_not_to_say", "setting-online", "harm-online_or_image_based", "when-under_1_year",
                           "told_before-none", "wishes-emotional_support", "pattern-online", "consent_contact", "consent_statistics-yes"):
            plain.find_element(By.ID, element_id).click()
        check("the young person's form is preset to a young person",
              plain.find_element(By.ID, "referrer_role-young_person").is_selected())
        plain.find_element(By.CSS_SELECTOR, 'form[action="/refer"] button[type="submit"]').click()
        WebDriverWait(plain, 15).until(lambda d: "Your referral has been sent" in d.page_source or "There is a problem" in d.page_source)
        check("the young person's form is accepted with JavaScript off", "Your referral has been sent" in plain.page_source)
    finally:
        plain.quit()


try:
    started = time.time()
    # 0. The young person's own form, audited, then sent with JavaScript off.
    visit("/refer?as=young_person", "referral form (young person)")
    check("the young person's form asks them in their own words", "How old are you?" in driver.page_source)
    shot("refer-young-person", phone=True)
    without_javascript()
    # 0b. Every language: the form and the portal in English, easy read and Polish, each audited; a
    # family switches to Polish with the visible switch, refers, and is answered and welcomed back in Polish.
    for code, html_lang, title in (("en", "en-GB", "Tell us what happened"), ("en-easy", "en-GB", "Tell us what happened"),
                                   ("pl", "pl", "Powiedz nam, co się stało")):
        visit(f"/refer?lang={code}", f"referral form ({code})")
        check(f"the form in {code} says so in <html lang>", driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == html_lang)
        check(f"the form in {code} is written in it", driver.find_element(By.TAG_NAME, "h1").text == title)
        visit(f"/portal?lang={code}", f"portal sign-in ({code})")
    visit("/refer?lang=en", "referral form (English, before switching)")
    navigating(driver.find_element(By.CSS_SELECTOR, 'nav.language-switch a[hreflang="pl"]'))
    check("the switch is a plain link that opens the form in Polish",
          driver.current_url.endswith("/refer?lang=pl") and driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "pl")
    shot("refer-polish", phone=True)
    for element_id in ("preference-portal", "council_area-shropshire", "referrer_role-parent_or_carer", "involvement-harmed",
                       "setting-secondary", "harm-sexual_harassment", "when-under_1_year", "told_before-school",
                       "wishes-to_be_listened_to", "consent_contact", "consent_statistics-yes"):
        click(element_id)
    navigating(driver.find_element(By.CSS_SELECTOR, 'form[action="/refer"] button[type="submit"]'))
    audit("referral confirmation (pl)")
    check("a referral made in Polish is confirmed in Polish",
          driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "pl" and "Twoje zgłoszenie zostało wysłane" in driver.page_source)
    polish_reference = driver.find_element(By.ID, "reference").text
    polish_passphrase = driver.find_element(By.ID, "passphrase").text
    # A new browser session: no language cookie, a browser that asks for English.
    driver.delete_all_cookies()
    visit("/portal", "portal sign-in (a new session)")
    fill("reference", polish_reference)
    fill("passphrase", polish_passphrase)
    navigating(driver.find_element(By.CSS_SELECTOR, 'form[action="/portal"] button[type="submit"]'))
    audit("portal (pl)")
    check("the portal opens in the language the referral was made in",
          driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "pl" and polish_reference in driver.page_source
          and "Twoja wiadomość jest u nas bezpieczna" in driver.page_source)
    shot("portal-polish", phone=True)
    for code in ("en-easy", "en"):
        visit(f"/portal/case?lang={code}", f"portal ({code})")
        check(f"the portal switches to {code}", driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en-GB"
              and "Sign out" in driver.page_source)
    driver.delete_all_cookies()
    # 1. A family refers itself through the public form.
    visit("/refer", "referral form")
    click("preference-email")
    fill("name", "Sam Browser")
    fill("email", "sam.browser@example.net")
    click("council_area-shropshire")
    click("referrer_role-parent_or_carer")
    click("involvement-harmed")
    click("age_band-13_to_15")
    click("setting-secondary")
    click("harm-sexual_harassment")
    click("when-under_1_year")
    click("told_before-school")
    click("wishes-to_be_listened_to")
    click("pattern-more_than_once")
    click("pattern-on_the_way_to_or_from_school")
    click("heard_from-letter_from_the_council")
    fill("story", "Our daughter was harassed by other pupils on the school bus.")
    fill("access_language", "Polish")
    click("access_interpreter")
    click("child_sex-girl")
    click("send-not_sure")
    click("consent_contact")
    click("consent_statistics-yes")
    navigating(driver.find_element(By.CSS_SELECTOR, 'form[action="/refer"] button[type="submit"]'))
    audit("referral confirmation")
    reference = driver.find_element(By.ID, "reference").text
    passphrase = driver.find_element(By.ID, "passphrase").text
    check("the family gets a reference", re.fullmatch(r"RS-[A-Z0-9]{4}-[A-Z0-9]{4}", reference) is not None)

    # 2. The lead signs in with password and TOTP code, finds the new case and assigns it.
    sign_in("/staff/sign-in", "lead@example.org", "lead password 123", totp(os.environ["LEAD_URI"]))
    check("the lead lands on the case list", driver.current_url.endswith("/staff/cases"))
    audit("case list")
    check("the case list carries the security headers", headers_ok())
    Select(driver.find_element(By.ID, "assigned")).select_by_value("none")
    navigating(driver.find_element(By.CSS_SELECTOR, 'form.filters button[type="submit"]'))
    audit("case list (unassigned)")
    shot("staff-case-list", phone=True)
    navigating(driver.find_element(By.LINK_TEXT, reference))
    audit("case page (received)")
    check("the case page shows the family's words", "harassed by other pupils" in driver.page_source)
    check("the case page shows the contact details", "sam.browser@example.net" in driver.page_source)
    check("the case page shows the access needs first",
          0 <= driver.page_source.find("Language: Polish") < driver.page_source.find("Contact details"))
    check("the case page shows the new answers", "They were harmed" in driver.page_source
          and "A letter from the council" in driver.page_source and "It happened more than once" in driver.page_source)
    check("a received case offers no listening-session form", not driver.find_elements(By.ID, "ls-date"))
    shot("staff-case-received", phone=True)
    Select(driver.find_element(By.ID, "practitioner")).select_by_value("pat@example.org")
    submit("/assign")
    check("the lead assigns the case", "The case has been assigned." in driver.page_source and "pat@example.org" in driver.page_source)
    case_url = driver.current_url.split("?")[0]
    visit("/staff/directory", "directory")
    sign_out()
    audit("sign-in (signed out)")

    # 3. The practitioner works the case to closed.
    sign_in("/staff/sign-in", "pat@example.org", "pat password 1234", totp(os.environ["PAT_URI"]))
    check("the practitioner sees the assigned case", reference in driver.page_source)
    # A referral taken by phone, entered on the family's behalf.
    visit("/staff/referrals/new", "enter a referral")
    click("channel-phone")
    click("preference-phone")
    fill("phone", "07700 900321")
    click("council_area-herefordshire")
    click("referrer_role-young_person")
    click("involvement-saw_or_knew")
    click("parent_knows-no")
    click("setting-primary")
    click("harm-sexual_harassment")
    click("when-under_1_year")
    click("told_before-none")
    click("wishes-to_be_listened_to")
    click("access_easy_read")
    click("consent_contact")
    click("consent_statistics-no")
    submit("/staff/referrals/new")
    audit("referral entered")
    check("the practitioner is shown the reference and passphrase once",
          re.search(r"RS-[A-Z0-9]{4}-[A-Z0-9]{4}", driver.page_source) is not None
          and re.search(r'class="passphrase">[a-z]+(-[a-z]+){5}<', driver.page_source) is not None)
    entered_reference = re.search(r"RS-[A-Z0-9]{4}-[A-Z0-9]{4}", driver.page_source).group(0)
    navigating(driver.find_element(By.LINK_TEXT, "Open the case"))
    audit("case page (entered by phone)")
    check("the entered case says how it came and who entered it", "By phone, entered by pat@example.org" in driver.page_source)
    visit("/staff/cases", "case list (with the entered case)")
    navigating(driver.find_element(By.LINK_TEXT, reference))
    click("ack-phone")
    submit("/acknowledge")
    check("acknowledged", "Acknowledgement recorded." in driver.page_source)
    audit("case page (acknowledged)")
    fill("ls-minutes", "45")
    click("ls-video")
    fill("ls-note", "Listened to both parents.")
    check("the advice box is marked required, as policies/recording.json says",
          driver.find_element(By.ID, "ls-advice_given").get_attribute("required") is not None)
    fill("ls-advice_given", "Explained what the school must do and how to ask for it.")
    submit("/listening-sessions")
    check("listening session recorded", "Listening session recorded." in driver.page_source)
    check("the advice given is on the case page", "Explained what the school must do" in driver.page_source)
    click("level-2")
    click("need-counselling")
    submit("/assessment")
    check("assessment recorded", "Assessment recorded." in driver.page_source)
    audit("case page (assessed)")
    Select(driver.find_element(By.ID, "sp-need")).select_by_value("counselling")
    click("sp-kind-referral_made_with_consent")
    fill("sp-actions_agreed", "Parent will call the service this week.")
    submit("/signposts")
    check("signpost added", "Signpost added." in driver.page_source)
    check("the signpost says it was a referral made with consent, and the actions agreed",
          "Referral made with the family" in driver.page_source and "Parent will call the service" in driver.page_source)
    fill("message-body", "We have sent you details of a counselling service.")
    submit("/messages")
    check("message sent", "Message sent to the family." in driver.page_source)
    check("completed is offered once signposted", bool(driver.find_elements(By.ID, "close-completed")))
    shot("staff-case-signposted", phone=True)
    click("close-completed")
    submit("/close")
    check("the case is closed", "The case has been closed." in driver.page_source and "Closed (Completed)" in driver.page_source)
    check("a closed case offers no acknowledgement, session, assessment or close form",
          not driver.find_elements(By.CSS_SELECTOR, 'form[action$="/acknowledge"], form[action$="/listening-sessions"], form[action$="/assessment"], form[action$="/close"]'))
    audit("case page (closed)")
    shot("staff-case-closed")

    # An error renders as a friendly page, with the headers.
    visit("/staff/themes", "forbidden page (practitioner on themes)")
    check("a practitioner gets a friendly 403 page for themes", "You cannot open this page" in driver.page_source)
    shot("staff-error-403")
    sign_out()

    # 3a. The family signs in to the portal, reads the closure, and asks to come back.
    visit("/portal", "portal sign-in")
    fill("reference", reference)
    fill("passphrase", passphrase)
    navigating(driver.find_element(By.CSS_SELECTOR, 'form[action="/portal"] button[type="submit"]'))
    audit("portal (closed case)")
    check("the family sees their case is closed and how to come back", "Coming back" in driver.page_source)
    submit("/portal/come-back")
    check("the family asks to come back", "You asked to come back on" in driver.page_source)
    audit("portal (asked to come back)")
    # Feedback after closure, from the case page's invitation; and a complaint.
    navigating(driver.find_element(By.LINK_TEXT, "Please tell us how it went for you"))
    audit("portal feedback")
    click("listened_to-5")
    click("believed-4")
    click("help_was_right-5")
    fill("comment", "Thank you for listening to us.")
    submit("/portal/feedback")
    check("the family gives feedback", "Thank you for telling us." in driver.page_source)
    click("kind-complaint")
    fill("text", "It took a while to hear back at first.")
    submit("/portal/complaints")
    check("the family sends a complaint", "We have your message." in driver.page_source)
    audit("portal feedback (sent)")
    shot("portal-feedback", phone=True)
    navigating(driver.find_element(By.LINK_TEXT, "Back to your referral"))
    submit("/portal/sign-out")

    # 4. The lead releases the past quarter from the themes page (the next TOTP step: the current one is used).
    sign_in("/staff/sign-in", "lead@example.org", "lead password 123", totp(os.environ["LEAD_URI"], 30))
    visit("/staff/themes?quarter=2025-Q1&area=shropshire", "themes and reports")
    fill("theme-text", "Families asked for clearer school policies on harassment during travel.")
    submit("/staff/themes")
    check("the lead approves a theme", "Theme approved." in driver.page_source
          or print("# page: " + driver.find_element(By.TAG_NAME, "main").text[:300].replace("\n", " ")))
    navigating(driver.find_element(By.CSS_SELECTOR, 'form[action="/staff/reports/preview"] button[type="submit"]'))
    check("the lead sees the preview before releasing", "Preview, not released." in driver.page_source)
    submit("/staff/reports/release")
    check("the lead releases 2025-Q1 for Shropshire", "Report released." in driver.page_source)
    audit("themes and reports (released)")
    shot("staff-themes", phone=True)
    # The family came back: the lead reopens the closed case where it left off, then holds it for evidence.
    visit("/staff/cases?come_back=1", "case list (asked to come back)")
    check("the lead sees the family asked to come back", "Asked to come back" in driver.page_source and reference in driver.page_source)
    visit(case_url.replace(BASE, ""), "case page (closed, as the lead)")
    audit("case page (closed, lead: reopen and hold forms)")
    fill("reopen-reason", "The family asked to come back.")
    submit("/reopen")
    check("the lead reopens the case at the stage it closed from",
          "The case has been reopened" in driver.page_source and "Signposted" in driver.page_source)
    fill("hold-reason", "Police have asked us to keep the notes.")
    submit("/evidential-hold")
    check("the lead places an evidential hold", "Held since" in driver.page_source)
    click("sg-social_care")
    click("sg-police")
    click("sg-informed-true")
    submit("/safeguarding")
    check("a referral to social care and the police is recorded",
          "Safeguarding escalation recorded." in driver.page_source and "The police" in driver.page_source)
    audit("case page (reopened, held)")
    # The child who saw it, referred by phone, is about the same incident: the lead links the two cases.
    fill("link-case", entered_reference)
    submit("/links")
    check("the lead links the case taken by phone", "The cases have been linked." in driver.page_source
          and entered_reference in driver.page_source)
    audit("case page (linked)")
    # The records check: this month's sample holds the practitioner's case; the lead writes an audit note.
    visit("/staff/records-check", "records check")
    check("the records check samples the practitioner's case", reference in driver.page_source)
    driver.find_element(By.CSS_SELECTOR, 'textarea[id^="note-"]').send_keys("Advice and actions recorded clearly.")
    submit("/review")
    check("the audit note is saved and the case marked reviewed",
          "Audit note saved" in driver.page_source and "Reviewed" in driver.page_source)
    audit("records check (reviewed)")
    shot("staff-records-check", phone=True)
    # Complaints and compliments: the family's complaint is answered; a compliment by letter is recorded.
    visit("/staff/complaints?area=shropshire", "complaints")
    check("the lead sees the family's complaint", "The family, in the portal" in driver.page_source)
    submit("/response")
    check("the lead records the day it was answered", "Saved." in driver.page_source
          and not driver.find_elements(By.CSS_SELECTOR, 'form[action$="/response"]'))
    click("cc-kind-compliment")
    submit("/staff/complaints")
    check("the lead records a compliment", driver.page_source.count("Compliment") >= 1 and "Saved." in driver.page_source)
    audit("complaints")
    shot("staff-complaints")
    sign_out()

    # 5. The council officer reads it.
    sign_in("/council/sign-in", "officer@example.org", "officer password 1", totp(os.environ["OFFICER_URI"]))
    check("the officer lands on the report list", driver.current_url.endswith("/council"))
    audit("council report list")
    shot("council-reports", phone=True)
    navigating(driver.find_element(By.LINK_TEXT, "2025-Q1"))
    audit("council report page")
    page = driver.page_source
    check("the report page has tables and SVG charts", "<table" in page and "<svg" in page)
    check("the report page explains suppressed cells", 'id="note-suppressed"' in page)
    check("the report page shows the approved theme", "clearer school policies" in page)
    check("no name from a case reaches the council", "Sam Browser" not in page and "sam.browser@example.net" not in page)
    check("the report page carries the security headers", headers_ok())
    for link in ("Report as JSON", "Report as CSV", "Signature", "Public key"):
        check(f"the report page links {link}", bool(driver.find_elements(By.LINK_TEXT, link)))
    shot("council-report", phone=True)
    # Trends and the one-page summary, from released reports only.
    navigating(driver.find_element(By.LINK_TEXT, "Trends"))
    audit("council trends")
    check("the trends page charts the referrals from the release", "<svg" in driver.page_source and "2025-Q1" in driver.page_source)
    Select(driver.find_element(By.ID, "figure")).select_by_value("referrals_by_setting.secondary")
    navigating(driver.find_element(By.CSS_SELECTOR, 'form[action="/council/trends"] button[type="submit"]'))
    audit("council trends (another figure)")
    check("the officer can follow a table's category", "Referrals by where it happened: Secondary school" in driver.page_source)
    check("the series downloads as CSV", bool(driver.find_elements(By.LINK_TEXT, "This series as CSV")))
    shot("council-trends", phone=True)
    navigating(driver.find_element(By.LINK_TEXT, "Summary"))
    audit("council summary")
    check("the summary shows the latest quarter's figures", "Headline figures, 2025-Q1" in driver.page_source)
    shot("council-summary")
    visit(case_url.replace(BASE, ""), "forbidden page (officer on a case)")
    check("the officer cannot open a case page", "You cannot open this page" in driver.page_source and "Sam Browser" not in driver.page_source)
    sign_out()
    print(f"# browser walk took {time.time() - started:.0f} s; axe on {len(axe_pages)} pages: "
          + ", ".join(f"{n} ({total} violations, {bad} serious or critical)" for n, total, bad in axe_pages), flush=True)
except Exception:
    traceback.print_exc()
    try:
        driver.save_screenshot(os.path.join(ARTEFACTS, "failure.png"))
    except Exception:
        pass
    check("the browser walk ran to the end", False)
finally:
    browser_kit.finish()
