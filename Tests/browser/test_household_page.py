"""The household page (GET /) in a real browser: Debian's chromium + chromium-driver, driven by Selenium.

Environment:
  EDGE_AGENT_URL       base URL of a running `edge-agent run` (required), e.g. http://127.0.0.1:38123
  EDGE_SCREENSHOT_DIR  where screenshots go (default: ./.build/screenshots)
  EDGE_AGENT_TOKEN     the agent's API token, when it was started with --api-token-file (optional)
  CHROMEDRIVER         chromedriver path (default /usr/bin/chromedriver)
  CHROMIUM             browser binary (default /usr/bin/chromium)
  EDGE_AGENT_BIN       the edge-agent binary, for the tests that start Pis of their own (the outbox and
                       switching between Pis)

Every test opens its own browser and uses titles of its own, so the tests can run in any order
against one agent. Waits are explicit (WebDriverWait); nothing sleeps for a fixed time.
"""

import datetime as dt
import json
import os
import signal
import socket
import struct
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

BASE = os.environ.get("EDGE_AGENT_URL", "").rstrip("/")
TOKEN = os.environ.get("EDGE_AGENT_TOKEN") or None
SHOTS = os.environ.get("EDGE_SCREENSHOT_DIR") or os.path.join(".build", "screenshots")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

pytestmark = pytest.mark.skipif(not BASE, reason="EDGE_AGENT_URL is not set (the harness starts edge-agent run and sets it)")


# ---------- the API, straight ----------

def api(method, path, body=None, token=TOKEN):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(BASE + path, data=data, method=method)
    req.add_header("Accept", "application/json")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=10) as res:
            raw = res.read()
            return res.status, (json.loads(raw) if raw else None)
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, json.loads(raw)
        except ValueError:
            return e.code, None


def api_tasks():
    status, body = api("GET", "/v1/tasks?state=all")
    assert status == 200, (status, body)
    return body["tasks"]


def api_task_titled(title):
    return next((t for t in api_tasks() if t["title"] == title), None)


def api_create(title, **fields):
    status, body = api("POST", "/v1/tasks", {"title": title, **fields})
    assert status == 201, (status, body)
    return body


def unique(prefix):
    return f"{prefix} {uuid.uuid4().hex[:8]}"


def rfc3339(when):
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------- the browser ----------

def make_browser(width=390, height=844, lang="en-US", mobile=True):
    opts = Options()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--no-first-run", "--disable-extensions", f"--window-size={max(width, 500)},{height + 200}",
                f"--lang={lang}"):
        opts.add_argument(arg)
    opts.add_experimental_option("prefs", {"intl.accept_languages": lang})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=opts)
    # An exact CSS viewport, as a phone has, independent of the window manager's minimum window size.
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})
    driver.set_page_load_timeout(20)
    return driver


def open_page(driver):
    driver.get(BASE + "/")
    if TOKEN:  # the page keeps the token in localStorage; put it there as a person would have done once
        driver.execute_script("localStorage.setItem('edge-agent.token', arguments[0])", TOKEN)
        driver.get(BASE + "/")
    wait(driver).until(lambda d: d.execute_script(
        "return document.readyState === 'complete' && !document.getElementById('app').hidden"))


@pytest.fixture
def browser():
    driver = make_browser()
    yield driver
    driver.quit()


def wait(driver, seconds=5):
    return WebDriverWait(driver, seconds, poll_frequency=0.1, ignored_exceptions=(StaleElementReferenceException,))


def open_add(driver):
    """On a phone the add form is folded behind one button, the list first: unfold it."""
    opener = driver.find_element(By.ID, "add-open")
    if opener.is_displayed():
        opener.click()
        wait(driver).until(lambda d: d.find_element(By.ID, "add-title").is_displayed())


def task_item(driver, title):
    """The <li> showing the task with this exact title, or None."""
    return driver.execute_script(
        "for (const t of document.querySelectorAll('li.task .task-title'))"
        "  if (t.textContent === arguments[0]) return t.closest('li');"
        "return null;", title)


def list_of(driver, title):
    return driver.execute_script(
        "for (const t of document.querySelectorAll('li.task .task-title'))"
        "  if (t.textContent === arguments[0]) return t.closest('ul').id;"
        "return null;", title)


def no_horizontal_overflow(driver):
    return driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")


def screenshot(driver, name):
    os.makedirs(SHOTS, exist_ok=True)
    path = os.path.join(SHOTS, name)
    assert driver.save_screenshot(path), path
    return path


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


@pytest.fixture(scope="session")
def examples():
    """A few tasks, made once, so screenshots show what people see: one overdue, one assigned, one done."""
    api_create(unique("Take the bins out"), due_at=rfc3339(dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=3)))
    api_create(unique("Water the tomatoes"), assignee="Aiko",
               due_at=rfc3339(dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)))
    done = api_create(unique("Buy rice"), notes="5 kg, the usual brand")
    status, _ = api("PATCH", f"/v1/tasks/{done['id']}", {"done": True})
    assert status == 200


# ---------- tests ----------

def test_page_is_small_and_self_contained():
    req = urllib.request.Request(BASE + "/")
    with urllib.request.urlopen(req, timeout=10) as res:
        assert res.status == 200
        assert res.headers.get("Content-Type", "").startswith("text/html")
        page = res.read()
    assert len(page) <= 60 * 1024, f"the page is {len(page)} bytes; the budget is 60 KB"
    text = page.decode()
    for external in ("http://", "https://", "//fonts.", "<script src", "<link rel=\"stylesheet\""):
        assert external not in text, f"the page refers to something outside itself: {external}"


def test_add_task_on_the_page_is_seen_through_the_api(browser):
    open_page(browser)
    assert not browser.find_element(By.ID, "add-title").is_displayed(), "on a phone the form is folded, the list first"
    open_add(browser)
    title = unique("Buy milk")
    field = browser.find_element(By.ID, "add-title")
    field.send_keys(title)
    browser.find_element(By.ID, "add-assignee").send_keys("Ken")
    browser.find_element(By.ID, "add-submit").click()

    wait(browser).until(lambda d: task_item(d, title) is not None)
    assert list_of(browser, title) == "open-list"
    assert field.get_attribute("value") == "", "the form is cleared after a successful save"
    assert browser.switch_to.active_element == field, "focus stays in the title field for the next task"
    task = api_task_titled(title)
    assert task is not None and task["done"] is False and task["assignee"] == "Ken"


def test_completion_through_the_api_shows_without_reload(browser):
    title = unique("Fold laundry")
    task = api_create(title)
    open_page(browser)
    wait(browser).until(lambda d: list_of(d, title) == "open-list")
    browser.execute_script("window.__notReloaded = true")

    status, body = api("PATCH", f"/v1/tasks/{task['id']}", {"done": True})
    assert status == 200 and body["done"] is True

    wait(browser, 3).until(lambda d: list_of(d, title) == "done-list")
    assert browser.execute_script("return window.__notReloaded === true"), "the page must not reload"
    checkbox = task_item(browser, title).find_element(By.CSS_SELECTOR, "input[type=checkbox]")
    assert checkbox.is_selected()


def test_completing_on_the_page_reaches_the_api(browser):
    title = unique("Descale kettle")
    task = api_create(title)
    open_page(browser)
    wait(browser).until(lambda d: task_item(d, title) is not None)
    task_item(browser, title).find_element(By.CSS_SELECTOR, "input[type=checkbox]").click()
    wait(browser).until(lambda d: list_of(d, title) == "done-list")
    wait(browser).until(lambda d: api("GET", f"/v1/tasks/{task['id']}")[1]["done"] is True)
    assert browser.switch_to.active_element.tag_name != "body", "focus is not lost after completing"


def test_failed_save_keeps_the_typed_text(browser):
    open_page(browser)
    open_add(browser)
    too_long = "x" * 195 + uuid.uuid4().hex[:6]  # 201 characters, one over the limit: the agent answers 422
    assert len(too_long) == 201
    field = browser.find_element(By.ID, "add-title")
    field.send_keys(too_long)
    browser.find_element(By.ID, "add-submit").click()

    error = browser.find_element(By.ID, "add-error")
    wait(browser).until(lambda d: error.text.strip() != "")
    assert "title" in error.text.lower(), f"the message should name the field: {error.text!r}"
    assert error.get_attribute("role") == "alert"
    assert field.get_attribute("value") == too_long, "the typed text is kept after a failed save"
    assert field.get_attribute("aria-invalid") == "true"
    assert all(t["title"] != too_long for t in api_tasks())
    # An unsent draft survives a reload too.
    browser.refresh()
    wait(browser).until(lambda d: d.find_element(By.ID, "add-title").get_attribute("value") == too_long)
    browser.execute_script("localStorage.removeItem('edge-agent.draft')")


def test_edit_on_the_page_reaches_the_api(browser):
    title = unique("Call grandma")
    task = api_create(title)
    open_page(browser)
    wait(browser).until(lambda d: task_item(d, title) is not None)
    task_item(browser, title).find_element(By.CSS_SELECTOR, "button.edit").click()
    field = wait(browser).until(lambda d: d.find_element(By.ID, f"e-title-{task['id']}"))
    assert browser.switch_to.active_element == field
    new_title = title + " on Sunday"
    field.clear()
    field.send_keys(new_title)
    browser.find_element(By.ID, f"e-assignee-{task['id']}").send_keys("Mika")
    browser.find_element(By.CSS_SELECTOR, f"li[data-id='{task['id']}'] button[type=submit]").click()
    wait(browser).until(lambda d: task_item(d, new_title) is not None)
    after = api("GET", f"/v1/tasks/{task['id']}")[1]
    assert after["title"] == new_title and after["assignee"] == "Mika"


def test_delete_with_undo_restores_the_task(browser):
    title = unique("Clean the gutter")
    task = api_create(title)
    witness = api_create(unique("Witness"))
    open_page(browser)
    wait(browser).until(lambda d: task_item(d, title) is not None)
    task_item(browser, title).find_element(By.CSS_SELECTOR, "button.del").click()

    wait(browser).until(lambda d: task_item(d, title) is None)
    toast = browser.find_element(By.ID, "toast")
    assert toast.is_displayed() and title in toast.text
    assert browser.switch_to.active_element.tag_name != "body", "focus is not lost after deleting"
    browser.find_element(By.ID, "undo").click()

    wait(browser).until(lambda d: task_item(d, title) is not None)
    assert not toast.is_displayed()
    # A later delete, left to run its course, is the clock: once it reached the agent, the undone
    # delete's window is long over, and the undone task must still be there.
    task_item(browser, witness["title"]).find_element(By.CSS_SELECTOR, "button.del").click()
    wait(browser, 10).until(lambda d: api("GET", f"/v1/tasks/{witness['id']}")[0] == 404)
    assert api("GET", f"/v1/tasks/{task['id']}")[0] == 200
    assert task_item(browser, title) is not None


def test_delete_without_undo_deletes_on_the_agent(browser):
    title = unique("Old reminder")
    task = api_create(title)
    open_page(browser)
    wait(browser).until(lambda d: task_item(d, title) is not None)
    task_item(browser, title).find_element(By.CSS_SELECTOR, "button.del").click()
    wait(browser).until(lambda d: task_item(d, title) is None)
    assert api("GET", f"/v1/tasks/{task['id']}")[0] == 200, "the DELETE waits for the undo window"
    wait(browser, 10).until(lambda d: api("GET", f"/v1/tasks/{task['id']}")[0] == 404)
    wait(browser).until(lambda d: not d.find_element(By.ID, "toast").is_displayed())
    assert task_item(browser, title) is None


def items_titled(driver, title):
    return driver.execute_script(
        "return [...document.querySelectorAll('li.task .task-title')].filter(t => t.textContent === arguments[0])"
        "  .map(t => t.closest('ul').id);", title)


def test_weekly_chore_added_on_the_page_comes_round_again_when_completed(browser):
    open_page(browser)
    open_add(browser)
    title = unique("Bins out")
    browser.find_element(By.ID, "add-title").send_keys(title)
    # Typed as a person would: capitals, a full weekday name, spaces.
    browser.find_element(By.ID, "add-repeat").send_keys("Weekly: Tuesday")
    browser.find_element(By.ID, "add-submit").click()
    wait(browser).until(lambda d: task_item(d, title) is not None)
    first = api_task_titled(title)
    assert first["repeat"] == "weekly:tue" and first["series"] is None
    assert first["due_at"] is not None, "a weekday rule starts on its first matching day"
    assert "weekly:tue" in task_item(browser, title).text
    screenshot(browser, "recurring-chore-added.png")

    task_item(browser, title).find_element(By.CSS_SELECTOR, "input[type=checkbox]").click()
    wait(browser).until(lambda d: sorted(items_titled(d, title)) == ["done-list", "open-list"])
    same = [t for t in api_tasks() if t["title"] == title]
    assert len(same) == 2
    nxt = next(t for t in same if not t["done"])
    assert nxt["series"] == first["id"] and nxt["repeat"] == "weekly:tue"
    assert nxt["due_at"] > first["due_at"]
    assert dt.datetime.fromisoformat(nxt["due_at"].replace("Z", "+00:00")).weekday() == dt.datetime.fromisoformat(
        first["due_at"].replace("Z", "+00:00")).weekday()
    screenshot(browser, "recurring-chore-next.png")


def test_a_repeat_rule_that_does_not_parse_is_named_and_kept(browser):
    open_page(browser)
    open_add(browser)
    title = unique("Feed the fish")
    browser.find_element(By.ID, "add-title").send_keys(title)
    rule = browser.find_element(By.ID, "add-repeat")
    rule.send_keys("every fortnight")
    browser.find_element(By.ID, "add-submit").click()
    error = browser.find_element(By.ID, "add-error")
    wait(browser).until(lambda d: error.text.strip() != "")
    assert "repeat" in error.text.lower(), error.text
    assert rule.get_attribute("aria-invalid") == "true" and rule.get_attribute("value") == "every fortnight"
    assert api_task_titled(title) is None
    rule.clear()
    browser.find_element(By.ID, "add-title").clear()
    browser.execute_script("localStorage.removeItem('edge-agent.draft')")


def test_deleting_the_series_removes_every_occurrence(browser):
    title = unique("Pay rent")
    first = api_create(title, repeat="monthly:25")
    status, _ = api("PATCH", f"/v1/tasks/{first['id']}", {"done": True})
    assert status == 200
    nxt = next(t for t in api_tasks() if t["title"] == title and not t["done"])
    other = api_create(unique("Not rent"))
    open_page(browser)
    wait(browser).until(lambda d: len(items_titled(d, title)) == 2)
    open_item = browser.find_element(By.CSS_SELECTOR, f"li[data-id='{nxt['id']}']")
    open_item.find_element(By.CSS_SELECTOR, "button[data-r=dels]").click()
    wait(browser, 10).until(lambda d: api("GET", f"/v1/tasks/{nxt['id']}")[0] == 404)
    assert api("GET", f"/v1/tasks/{first['id']}")[0] == 404, "the done occurrence went with the series"
    assert api("GET", f"/v1/tasks/{other['id']}")[0] == 200
    wait(browser).until(lambda d: items_titled(d, title) == [])


def test_notes_can_be_given_when_adding(browser):
    open_page(browser)
    open_add(browser)
    title = unique("Book the dentist")
    browser.find_element(By.ID, "add-title").send_keys(title)
    browser.find_element(By.ID, "add-notes").send_keys("Dr. Sato, before the 20th")
    browser.find_element(By.ID, "add-submit").click()
    wait(browser).until(lambda d: task_item(d, title) is not None)
    assert api_task_titled(title)["notes"] == "Dr. Sato, before the 20th"
    assert "Dr. Sato" in task_item(browser, title).text
    assert browser.find_element(By.ID, "add-notes").get_attribute("value") == ""


def test_due_today_is_marked_apart_from_overdue(browser):
    browser.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": "UTC"})
    now = dt.datetime.now(dt.timezone.utc)
    later = now + dt.timedelta(minutes=5)
    title = unique("Sign the school form")
    api_create(title, due_at=rfc3339(later))
    open_page(browser)
    wait(browser).until(lambda d: task_item(d, title) is not None)
    item = task_item(browser, title)
    # Five minutes from now is today unless the day ends first: then it is merely upcoming.
    assert ("today" in item.get_attribute("class").split()) == (later.date() == now.date())
    assert "overdue" not in item.get_attribute("class").split()
    if later.date() == now.date():
        assert "Today" in item.text


def test_assignee_filter_is_remembered(browser):
    ren, yui = unique("Ren"), unique("Yui")
    for_ren = api_create(unique("Rake leaves"), assignee=ren)
    for_yui = api_create(unique("Walk the dog"), assignee=yui)
    open_page(browser)
    wait(browser).until(lambda d: task_item(d, for_yui["title"]) is not None)
    from selenium.webdriver.support.ui import Select
    Select(browser.find_element(By.ID, "who-filter")).select_by_value(ren)
    wait(browser).until(lambda d: task_item(d, for_yui["title"]) is None)
    assert task_item(browser, for_ren["title"]) is not None
    browser.refresh()
    wait(browser).until(lambda d: d.execute_script("return !document.getElementById('app').hidden"))
    wait(browser).until(lambda d: task_item(d, for_ren["title"]) is not None)
    assert task_item(browser, for_yui["title"]) is None, "the filter is remembered across a reload"
    assert Select(browser.find_element(By.ID, "who-filter")).first_selected_option.get_attribute("value") == ren
    Select(browser.find_element(By.ID, "who-filter")).select_by_value("")
    wait(browser).until(lambda d: task_item(d, for_yui["title"]) is not None)
    assert browser.execute_script("return localStorage.getItem('edge-agent.who')") is None


def test_language_switch_is_remembered(browser):
    open_page(browser)
    assert browser.find_element(By.ID, "app-title").text == "Household tasks"
    browser.find_element(By.ID, "lang-switch").click()
    wait(browser).until(lambda d: d.find_element(By.ID, "app-title").text == "家族のタスク")
    assert browser.execute_script("return document.documentElement.lang") == "ja"
    screenshot(browser, "language-switched-ja.png")
    browser.refresh()
    wait(browser).until(lambda d: d.find_element(By.ID, "app-title").text == "家族のタスク")
    assert browser.find_element(By.ID, "lang-switch").text == "English"
    browser.find_element(By.ID, "lang-switch").click()
    wait(browser).until(lambda d: d.find_element(By.ID, "app-title").text == "Household tasks")
    assert browser.execute_script("return localStorage.getItem('edge-agent.lang')") == "en"


class Pi:
    """An edge-agent of its own for one test: its data directory, the shared token, a port."""

    def __init__(self, host, port, peers):
        self.dir = tempfile.mkdtemp(prefix="edge-page-pi-")
        self.token_file = os.path.join(self.dir, "token")
        with open(self.token_file, "w") as f:
            f.write((TOKEN or "page-test-token") + "\n")
        os.chmod(self.token_file, 0o600)
        self.log = open(os.path.join(self.dir, "log"), "wb")
        fixtures = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "Fixtures", "rpi4")
        self.proc = subprocess.Popen(
            [os.environ["EDGE_AGENT_BIN"], "run", "--data-dir", self.dir, "--node-name", f"pi-{host.split('.')[-1]}",
             "--listen", f"{host}:{port}", "--host-root", fixtures, "--api-token-file", self.token_file, "--peer-urls", peers],
            stdout=self.log, stderr=subprocess.STDOUT)
        self.url = None
        deadline = time.monotonic() + 30
        while self.url is None:
            assert self.proc.poll() is None, open(os.path.join(self.dir, "log")).read()
            assert time.monotonic() < deadline, "the agent did not start listening"
            text = open(os.path.join(self.dir, "log"), errors="replace").read()
            for line in text.splitlines():
                if "listening" in line and "address=" in line:
                    self.url = "http://" + line.split("address=")[1].split()[0]
            time.sleep(0.05)

    def tasks(self):
        req = urllib.request.Request(self.url + "/v1/tasks?state=all", headers={"Authorization": "Bearer " + (TOKEN or "page-test-token")})
        with urllib.request.urlopen(req, timeout=5) as res:
            return json.loads(res.read())["tasks"]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=20)


def free_port(host):
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@pytest.mark.skipif(not os.environ.get("EDGE_AGENT_BIN"), reason="EDGE_AGENT_BIN is not set (live-tests.sh sets it)")
def test_a_page_whose_pi_stops_keeps_writes_waiting_and_carries_on_with_another_pi(browser):
    # Pi B's address is chosen first (on 127.0.0.2, where nothing else listens), so that Pi A
    # can name it; B starts only later, and names A, whose page it then serves cross-origin.
    port_b = free_port("127.0.0.2")
    url_b = f"http://127.0.0.2:{port_b}"
    a = Pi("127.0.0.1", 0, url_b)
    b = None
    try:
        if not TOKEN:
            browser.get(a.url + "/")
            browser.execute_script("localStorage.setItem('edge-agent.token', 'page-test-token')")
        browser.get(a.url + "/")
        if TOKEN:
            browser.execute_script("localStorage.setItem('edge-agent.token', arguments[0])", TOKEN)
            browser.get(a.url + "/")
        wait(browser).until(lambda d: d.execute_script("return !document.getElementById('app').hidden"))
        wait(browser, 15).until(lambda d: url_b in (d.execute_script("return localStorage.getItem('edge-agent.peers')") or ""))
        a.stop()

        open_add(browser)
        titles = [unique("Buy bread"), unique("Call the plumber")]
        for title in titles:
            browser.find_element(By.ID, "add-title").send_keys(title)
            browser.find_element(By.ID, "add-submit").click()
            wait(browser, 15).until(lambda d: task_item(d, title) is not None)
            assert "waiting" in task_item(browser, title).text.lower()
        # One the Pis will refuse (201 characters): it waits too, and then stays with the reason.
        too_long = "y" * 193 + uuid.uuid4().hex[:8]
        browser.find_element(By.ID, "add-title").send_keys(too_long)
        browser.find_element(By.ID, "add-submit").click()
        wait(browser, 15).until(lambda d: len(d.execute_script("return JSON.parse(localStorage.getItem('edge-agent.outbox')) || []")) == 3)
        assert browser.find_element(By.ID, "ob-card").is_displayed()
        screenshot(browser, "outbox-waiting.png")

        b = Pi("127.0.0.2", port_b, a.url)
        wait(browser, 30).until(lambda d: d.find_element(By.ID, "switched").is_displayed())
        assert "127.0.0.2" in browser.find_element(By.ID, "switched").text
        wait(browser, 15).until(lambda d: sorted(t["title"] for t in b.tasks()) == sorted(titles))
        refused = browser.find_element(By.ID, "ob-list")
        wait(browser, 15).until(lambda d: "title" in refused.text.lower() and "200" in refused.text)
        assert len(browser.execute_script("return JSON.parse(localStorage.getItem('edge-agent.outbox'))")) == 1, "the refused one is kept"
        assert no_horizontal_overflow(browser), "a long refused title wraps"
        screenshot(browser, "outbox-refused.png")
        refused.find_element(By.XPATH, ".//button[text()='Discard']").click()
        wait(browser).until(lambda d: not d.find_element(By.ID, "ob-card").is_displayed())
        assert browser.execute_script("return localStorage.getItem('edge-agent.outbox')") is None
        assert sorted(t["title"] for t in b.tasks()) == sorted(titles), "each waiting task arrived once at the other Pi"
        wait(browser).until(lambda d: all(task_item(d, t) is not None and "waiting" not in task_item(d, t).text.lower() for t in titles))
        screenshot(browser, "switched-to-another-pi.png")
        # A write now goes to the Pi the page switched to.
        browser.find_element(By.ID, "add-title").send_keys("after the switch")
        browser.find_element(By.ID, "add-submit").click()
        wait(browser, 10).until(lambda d: any(t["title"] == "after the switch" for t in b.tasks()))
        assert len(b.tasks()) == 3
    finally:
        a.stop()
        if b:
            b.stop()


def test_overdue_task_has_a_marker_that_is_not_colour_alone(browser):
    title = unique("Pay the water bill")
    api_create(title, due_at=rfc3339(dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1)))
    open_page(browser)
    wait(browser).until(lambda d: task_item(d, title) is not None)
    item = task_item(browser, title)
    assert "overdue" in item.get_attribute("class").split()
    assert item.find_element(By.CSS_SELECTOR, ".overdue-badge").text.strip().lower() == "overdue"


def test_node_and_sync_cards_are_filled(browser):
    open_page(browser)
    state = browser.find_element(By.ID, "sync-state")
    wait(browser, 15).until(lambda d: state.text.strip() not in ("", "…"))
    pending = browser.find_element(By.ID, "sync-pending")
    assert pending.text.strip() not in ("", "…")
    # The live agent has no central: nothing will send its changes, so they read as saved.
    assert state.text.strip() == "Standalone (none set up)"
    assert pending.text.strip() == "Saved on this Pi"
    assert "pending" not in browser.find_element(By.ID, "pill-text").text
    assert browser.find_element(By.ID, "node-card").is_displayed()


def test_japanese_layout_fits_a_360px_phone(examples):
    title = unique("牛乳を買う")
    api_create(title, assignee="けん")
    # Long words must wrap, not push the page sideways.
    api_create(unique("網戸の修理") + " " + "Slidingdoorscreenreplacementpartnumber" * 3,
               assignee="おばあちゃんとおじいちゃん", notes="https://example.invalid/" + "a" * 120)
    driver = make_browser(width=360, height=780, lang="ja")
    try:
        open_page(driver)
        assert driver.execute_script("return document.documentElement.lang") == "ja"
        assert driver.find_element(By.ID, "add-open").text == "＋ タスクを追加", "folded on a phone, the list first"
        open_add(driver)
        assert driver.find_element(By.ID, "add-h").text == "タスクを追加"
        assert driver.find_element(By.ID, "add-submit").text == "追加"
        wait(driver).until(lambda d: task_item(d, title) is not None)
        wait(driver, 15).until(lambda d: d.find_element(By.ID, "sync-state").text.strip() not in ("", "…"))
        assert driver.execute_script("return window.innerWidth") == 360
        assert no_horizontal_overflow(driver), "the page scrolls sideways at 360 px"
        screenshot(driver, "household-ja-360.png")
    finally:
        driver.quit()


def test_phone_screenshot_390x844(browser, examples):
    open_page(browser)
    wait(browser).until(lambda d: d.execute_script("return document.querySelectorAll('li.task').length") >= 3)
    wait(browser, 15).until(lambda d: d.find_element(By.ID, "sync-state").text.strip() not in ("", "…"))
    assert browser.execute_script("return [window.innerWidth, window.innerHeight]") == [390, 844]
    assert no_horizontal_overflow(browser)
    path = screenshot(browser, "household-390x844.png")
    assert png_size(path) == (390, 844)


def test_desktop_screenshot_1280(examples):
    driver = make_browser(width=1280, height=800, mobile=False)
    try:
        open_page(driver)
        wait(driver).until(lambda d: d.execute_script("return document.querySelectorAll('li.task').length") >= 3)
        wait(driver, 15).until(lambda d: d.find_element(By.ID, "sync-state").text.strip() not in ("", "…"))
        assert no_horizontal_overflow(driver)
        screenshot(driver, "household-1280x800.png")
    finally:
        driver.quit()


@pytest.mark.skipif(not TOKEN, reason="the agent runs without --api-token-file (set EDGE_AGENT_TOKEN to test the prompt)")
def test_token_is_asked_once_and_a_wrong_one_is_refused_plainly():
    driver = make_browser()
    try:
        driver.get(BASE + "/")
        driver.execute_script("localStorage.clear()")
        driver.get(BASE + "/")
        field = wait(driver).until(lambda d: d.find_element(By.ID, "token-input") if d.find_element(By.ID, "token-input").is_displayed() else None)
        assert field.get_attribute("type") == "password"
        assert driver.find_element(By.CSS_SELECTOR, "label[for=token-input]").text.strip()
        field.send_keys("wrong-" + uuid.uuid4().hex)
        driver.find_element(By.ID, "token-save").click()
        wait(driver).until(lambda d: "wrong" in d.find_element(By.ID, "token-msg").text.lower())
        field.clear()
        field.send_keys(TOKEN)
        driver.find_element(By.ID, "token-save").click()
        wait(driver).until(lambda d: d.find_element(By.ID, "app").is_displayed())
        assert driver.execute_script("return localStorage.getItem('edge-agent.token')") == TOKEN
        driver.refresh()  # kept on the device: no prompt the second time
        wait(driver).until(lambda d: d.find_element(By.ID, "app").is_displayed())
        assert not driver.find_element(By.ID, "token-panel").is_displayed()
    finally:
        driver.quit()
