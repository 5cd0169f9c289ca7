#!/usr/bin/env python3
"""A family on a shared phone, in headless Chromium at 360 x 740: the confirmation shows reference and passphrase in
the first screen; the portal's passphrase box hides and shows; sign in, open the case page, write, sign out, press
Back, press Back again: no page then shown may hold the reference, a message or a form of the case (with JavaScript
on and off). A practitioner issues a new passphrase from the case page; the old one fails, the new one works and the
portal says so; staff sign-out and Back show no case either. axe-core on each new page.

Environment: BASE_URL, ARTEFACTS, TOTP (independent_totp.py), LEAD_EMAIL, LEAD_URI, MODE (a label: http or https-public-url).
Prints one "ok ..." or "FAIL ..." line per check.
"""
import os, subprocess, sys, time, traceback

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from axe_selenium_python import Axe

BASE, ARTEFACTS, MODE = os.environ["BASE_URL"], os.environ["ARTEFACTS"], os.environ.get("MODE", "http")
failures = 0


def check(what, ok):
    global failures
    print(("ok " if ok else "FAIL ") + f"[{MODE}] " + what, flush=True)
    failures += 0 if ok else 1
    return ok


def browser(javascript=True):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=360,740", "--lang=en-GB"):
        options.add_argument(arg)
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    d.set_page_load_timeout(30)
    # A phone's screen exactly, whatever the window's own frame takes.
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": 360, "height": 740, "deviceScaleFactor": 2, "mobile": True})
    return d


def gone(d, element):
    try:
        element.is_enabled()
        return False
    except StaleElementReferenceException:
        return True
    except WebDriverException as error:
        if "does not belong to the document" in str(error):
            return True
        raise


def navigating(d, action):
    old = d.find_element(By.TAG_NAME, "html")
    action()
    WebDriverWait(d, 15).until(lambda _: gone(d, old))
    WebDriverWait(d, 15).until(lambda _: d.execute_script("return document.readyState") == "complete")


def audit(d, name):
    axe = Axe(d)
    axe.inject()
    bad = [v for v in axe.run(options={"resultTypes": ["violations"]})["violations"] if v.get("impact") in ("serious", "critical")]
    check(f"axe: no serious or critical violations on {name}"
          + "".join(f" -- {v['id']} ({v['impact']}): {v['nodes'][0]['target']} {v['nodes'][0].get('failureSummary', '')[:200]}" for v in bad), not bad)


def lines_of(d, element_id=None, css=None):
    """How many lines the element's text takes on screen."""
    return d.execute_script("""
        const el = arguments[0] ? document.getElementById(arguments[0]) : document.querySelector(arguments[1]);
        const r = document.createRange(); r.selectNodeContents(el);
        return new Set(Array.from(r.getClientRects()).map(x => Math.round(x.top))).size;""", element_id, css)


def in_first_screen(d, element_id):
    return d.execute_script("const b = document.getElementById(arguments[0]).getBoundingClientRect();"
                            "return window.scrollY === 0 && b.top >= 0 && b.bottom <= window.innerHeight;", element_id)


def holds_case(d, reference, canary):
    """Whether the page now shown holds anything of the case: its reference, a message, or one of its forms."""
    source = d.page_source
    return reference in source or canary in source or 'action="/portal/messages"' in source or 'action="/portal/withdraw"' in source


def portal_sign_in(d, reference, passphrase):
    d.get(BASE + "/portal")
    d.find_element(By.ID, "reference").send_keys(reference)
    d.find_element(By.ID, "passphrase").send_keys(passphrase)
    navigating(d, lambda: d.find_element(By.CSS_SELECTOR, 'form[action="/portal"] button[type="submit"]').click())


def sign_out_and_go_back(d, reference, canary, label, javascript=True):
    """The walk of the issue: case page open, sign out, Back, Back again."""
    d.execute_script("window.__stillHere = true")
    navigating(d, lambda: d.find_element(By.CSS_SELECTOR, 'form[action="/portal/sign-out"] button').click())
    check(f"{label}: after sign-out the page says so and holds nothing of the case",
          "/portal/signed-out" in d.current_url and "You are signed out" in d.page_source and not holds_case(d, reference, canary))
    for press in ("Back", "Back again"):
        d.back()
        WebDriverWait(d, 15).until(lambda _: d.execute_script("return document.readyState") == "complete")
        time.sleep(0.3)  # a restored page's pageshow reload, if any, has begun
        WebDriverWait(d, 15).until(lambda _: d.execute_script("return document.readyState") == "complete")
        shown = d.current_url
        check(f"{label}: {press} shows no reference, message or form of the case ({shown.replace(BASE, '')})",
              not holds_case(d, reference, canary))
        if javascript:
            check(f"{label}: {press} did not bring back the signed-in page from memory",
                  not d.execute_script("return window.__stillHere === true"))


def refer_on_the_phone(d):
    d.get(BASE + "/refer")
    for element_id in ("preference-portal", "council_area-shropshire", "referrer_role-parent_or_carer", "involvement-harmed",
                       "setting-secondary", "harm-sexual_harassment", "when-under_1_year", "told_before-school",
                       "wishes-to_be_listened_to", "consent_contact", "consent_statistics-yes"):
        element = d.find_element(By.ID, element_id)
        d.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        element.click()
    # An email address, so the case page offers the neutral notice (walked below); the notice itself is not chosen here.
    email = d.find_element(By.ID, "email")
    d.execute_script("arguments[0].scrollIntoView({block: 'center'})", email)
    email.send_keys("return.walk@example.net")
    navigating(d, lambda: d.find_element(By.CSS_SELECTOR, 'form[action="/refer"] button[type="submit"]').click())
    d.execute_script("window.scrollTo(0, 0)")
    check("the confirmation shows the reference in the first screen at 360 x 740", in_first_screen(d, "reference"))
    check("the confirmation shows the passphrase in the first screen at 360 x 740", in_first_screen(d, "passphrase"))
    check("the reference on the confirmation stays on one line", lines_of(d, "reference") == 1)
    d.save_screenshot(os.path.join(ARTEFACTS, f"return-confirmation-{MODE}.png"))  # the first screen, as the family sees it
    audit(d, "confirmation (phone)")
    return d.find_element(By.ID, "reference").text, d.find_element(By.ID, "passphrase").text


def totp(uri, offset=0):
    out = subprocess.run([sys.executable, os.environ["TOTP"], uri, str(int(time.time()) + offset)], capture_output=True, text=True, check=True)
    return out.stdout.split()[0]


d = browser()
try:
    started = time.time()
    reference, passphrase = refer_on_the_phone(d)
    # A fresh start for the portal walk: the confirmation is not in this history.
    d.quit()
    d = browser()
    d.get(BASE + "/portal")
    box = d.find_element(By.ID, "passphrase")
    check("the passphrase box is a password field", box.get_attribute("type") == "password")
    show = d.find_element(By.CSS_SELECTOR, "button.reveal")
    show.click()
    check("the show control shows the passphrase, and says it will hide it",
          box.get_attribute("type") == "text" and show.text == "Hide passphrase" and show.get_attribute("aria-pressed") == "true")
    show.click()
    check("pressed again it hides it", box.get_attribute("type") == "password")
    check("the lost-passphrase text says to ask the partner, not send a new form",
          "Please do not send a new form" in d.page_source)
    audit(d, "portal sign-in (phone)")
    portal_sign_in(d, reference, passphrase)
    check("signed in, the case page opens", "/portal/case" in d.current_url and reference in d.page_source)
    check("the heading's reference stays on one line at 360 px", lines_of(d, css="h1 .reference") == 1)
    # A control: does this Chromium restore a signed-in (no-store) page from its back/forward cache at all, before
    # any sign-out? If it does, what protects the family below is the sign-out itself.
    d.execute_script("addEventListener('pageshow', e => { if (e.persisted) sessionStorage.setItem('restored', '1') })")
    navigating(d, lambda: d.get(BASE + "/portal/feedback"))
    d.back()
    WebDriverWait(d, 15).until(lambda _: d.execute_script("return document.readyState") == "complete")
    time.sleep(0.3)
    restored = d.execute_script("return sessionStorage.getItem('restored')") == "1"
    print(f"# [{MODE}] before sign-out, Back restores the signed-in page from the back/forward cache: {'yes' if restored else 'no'}", flush=True)
    d.get(BASE + "/portal/case")
    canary = "CANARY-RETURN-" + str(int(time.time()))
    d.find_element(By.ID, "body").send_keys(f"A message {canary}")
    navigating(d, lambda: d.find_element(By.CSS_SELECTOR, 'form[action="/portal/messages"] button').click())
    check("the message is on the case page", canary in d.page_source)
    d.get(BASE + "/portal/export?format=html")
    check("everything held reads as a page", "Everything we hold about your referral" in d.page_source and canary in d.page_source)
    audit(d, "everything held (phone)")
    d.get(BASE + "/portal/case")
    audit(d, "portal case page (phone)")
    # The neutral email notice: the form shows both boxes, so what is left unticked is saved as no.
    def notice_saved(tick):
        for box in ("notify_by_email", "names_service"):
            element = d.find_element(By.ID, box)
            if element.is_selected() != tick.get(box, False):
                d.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
                element.click()
        navigating(d, lambda: d.find_element(By.CSS_SELECTOR, 'form[action="/portal/notifications"] button').click())
        return {box: d.find_element(By.ID, box).is_selected() for box in ("notify_by_email", "names_service")}
    check("the family turns the notice on, naming the service, and the page shows it so",
          notice_saved({"notify_by_email": True, "names_service": True}) == {"notify_by_email": True, "names_service": True})
    check("unticking the notice turns it off and forgets naming the service",
          notice_saved({"names_service": True}) == {"notify_by_email": False, "names_service": False})
    sign_out_and_go_back(d, reference, canary, "family, JavaScript on")
    audit(d, "signed-out or sign-in page after Back")

    # The same walk with JavaScript off: the headers alone must do it.
    plain = browser(javascript=False)
    try:
        portal_sign_in(plain, reference, passphrase)
        check("JavaScript off: signed in, the case page opens", reference in plain.page_source)
        sign_out_and_go_back(plain, reference, canary, "family, JavaScript off", javascript=False)
    finally:
        plain.quit()

    # A practitioner (a lead here) issues a new passphrase from the case page.
    staff = browser()
    try:
        staff.get(BASE + "/staff/sign-in")
        staff.find_element(By.ID, "email").send_keys(os.environ["LEAD_EMAIL"])
        staff.find_element(By.ID, "password").send_keys("lead password 123")
        staff.find_element(By.ID, "code").send_keys(totp(os.environ["LEAD_URI"]))
        navigating(staff, lambda: staff.find_element(By.CSS_SELECTOR, 'main button[type="submit"]').click())
        staff.get(BASE + "/staff/cases")
        link = [a for a in staff.find_elements(By.CSS_SELECTOR, "a") if a.text == reference]
        check("the lead finds the case in the list", bool(link))
        navigating(staff, lambda: link[0].click())
        navigating(staff, lambda: staff.find_element(By.LINK_TEXT, "Issue a new passphrase").click())
        audit(staff, "staff: issue a new passphrase (confirmation)")
        staff.find_element(By.ID, "check-phone").click()
        staff.find_element(By.ID, "confirmed").click()
        navigating(staff, lambda: staff.find_element(By.CSS_SELECTOR, 'main form button[type="submit"]').click())
        audit(staff, "staff: new passphrase issued")
        new_words = staff.find_element(By.CSS_SELECTOR, "strong.passphrase").text
        check("the new words are shown once, six of them", len(new_words.split("-")) == 6 and new_words != passphrase)
        staff.get(BASE + "/staff/cases")
        staff.execute_script("window.__stillHere = true")
        navigating(staff, lambda: staff.find_element(By.CSS_SELECTOR, 'form[action="/staff/sign-out"] button').click())
        for press in ("Back", "Back again"):
            staff.back()
            WebDriverWait(staff, 15).until(lambda _: staff.execute_script("return document.readyState") == "complete")
            check(f"staff: {press} after sign-out shows no case and no new words",
                  reference not in staff.page_source and new_words not in staff.page_source)
    finally:
        staff.quit()

    portal_sign_in(d, reference, passphrase)
    check("the old passphrase no longer opens the portal", "/portal/case" not in d.current_url)
    portal_sign_in(d, reference, new_words)
    check("the new passphrase opens it, and the family is told a new one was issued",
          "/portal/case" in d.current_url and "A new passphrase for your referral was issued on" in d.page_source)
    d.execute_script("window.scrollTo(0, 0)")
    d.save_screenshot(os.path.join(ARTEFACTS, f"return-portal-notice-{MODE}.png"))
    print(f"# [{MODE}] browser walk took {time.time() - started:.0f} s", flush=True)
except Exception:
    traceback.print_exc()
    check("the browser walk ran to the end", False)
finally:
    try:
        d.quit()
    except Exception:
        pass
sys.exit(1 if failures else 0)
