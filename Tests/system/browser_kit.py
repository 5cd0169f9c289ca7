"""What the browser walks share: headless Chromium through Selenium, axe-core on every page, screenshots at desktop
and phone width, and small helpers to fill, click and submit. Importing it starts the browser; each walk calls
`finish()` last. Environment: BASE_URL, ARTEFACTS, TOTP (path of independent_totp.py)."""
import os, subprocess, sys, time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from axe_selenium_python import Axe

BASE = os.environ["BASE_URL"]
ARTEFACTS = os.environ["ARTEFACTS"]
failures = 0
axe_pages = []


def check(what, ok):
    global failures
    print(("ok " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures += 1
    return ok


def totp(uri, offset=0):
    out = subprocess.run([sys.executable, os.environ["TOTP"], uri, str(int(time.time()) + offset)],
                         capture_output=True, text=True, check=True)
    return out.stdout.split()[0]


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1000",
                "--lang=en-GB"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


driver = browser()
driver.set_page_load_timeout(30)
axe = Axe(driver)


def audit(name):
    """axe-core on the page now shown; serious and critical violations fail the walk."""
    axe.inject()
    results = axe.run(options={"resultTypes": ["violations"]})
    bad = [v for v in results["violations"] if v.get("impact") in ("serious", "critical")]
    axe_pages.append((name, len(results["violations"]), len(bad)))
    detail = "; ".join(f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}" for v in bad)
    check(f"axe: no serious or critical violations on {name}" + (f" -- {detail}" if bad else ""), not bad)


def shot(name, phone=False):
    driver.save_screenshot(os.path.join(ARTEFACTS, f"{name}.png"))
    if phone:
        driver.set_window_size(390, 844)
        height = driver.execute_script("return document.body.scrollHeight")
        driver.set_window_size(390, min(max(height, 844), 4000))
        driver.save_screenshot(os.path.join(ARTEFACTS, f"{name}-phone.png"))
        wide = driver.execute_script("return document.documentElement.scrollWidth > window.innerWidth + 1")
        check(f"{name} fits a phone-width screen without sideways scrolling", not wide)
        driver.set_window_size(1280, 1000)


def visit(path, name):
    driver.get(BASE + path)
    audit(name)


def gone(element):
    """Whether the old page's element has left the document. Chromium sometimes answers a query on such an
    element with "Node with given id does not belong to the document" rather than a stale-element error."""
    try:
        element.is_enabled()
        return False
    except StaleElementReferenceException:
        return True
    except WebDriverException as error:
        if "does not belong to the document" in str(error):
            return True
        raise


def navigating(element):
    """Clicks something that loads a new page and waits until it has."""
    old = driver.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(driver, 15).until(lambda d: gone(old))
    WebDriverWait(driver, 15).until(lambda d: d.execute_script("return document.readyState") == "complete")


def fill(element_id, text):
    field = driver.find_element(By.ID, element_id)
    field.clear()
    field.send_keys(text)


def click(element_id):
    driver.find_element(By.ID, element_id).click()


def submit(form_action_suffix):
    form = driver.find_element(By.CSS_SELECTOR, f'form[method="post"][action$="{form_action_suffix}"]')
    navigating(form.find_element(By.CSS_SELECTOR, 'button[type="submit"]'))


def sign_in(path, email, password, code):
    visit(path, f"sign-in ({path})")
    fill("email", email)
    fill("password", password)
    fill("code", code)
    navigating(driver.find_element(By.CSS_SELECTOR, 'main button[type="submit"]'))


def sign_out():
    navigating(driver.find_element(By.CSS_SELECTOR, 'form[action="/staff/sign-out"] button'))
    check("sign-out returns to the sign-in page", "You have signed out" in driver.page_source)


def headers_ok():
    # Read with a same-origin fetch from the page: the browser sees the real response headers.
    h = driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        fetch(location.href, {credentials: 'same-origin'}).then(r => done({
          csp: r.headers.get('content-security-policy'), cache: r.headers.get('cache-control'),
          referrer: r.headers.get('referrer-policy'), frame: r.headers.get('x-frame-options')})).catch(e => done({}));""")
    return (bool(h.get("csp")) and "script-src 'self'" in h["csp"] and h.get("cache") == "no-store" and h.get("frame") == "DENY"
            and h.get("referrer") == "same-origin")




def finish():
    """Closes the browser and exits non-zero when any check failed."""
    driver.quit()
    sys.exit(1 if failures else 0)
