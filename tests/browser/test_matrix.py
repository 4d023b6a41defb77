"""The WIIFM matrix as a grid, in a browser: it fits the screen, its cells are
edited one at a time from the keyboard, a Give-Get change reaches the role page
and the PDF, a row's Give-Gets open below it and stay open, axe finds nothing
serious in English or Danish, and all of it works without JavaScript."""

from __future__ import annotations

import io
from typing import Any

import pypdf
import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Locator, Page, expect

from givegets.models import GiveGet
from planner.grid import GIVEGET_CELLS, ROLE_CELLS
from playbooks.models import Playbook
from roles.models import FACTORS, Role
from tests.browser.conftest import (
    PageProblems,
    log_in,
    screenshot,
    serious_axe_violations,
    settled,
)
from tests.factories import (
    add_member,
    make_giveget,
    make_playbook,
    make_role,
    make_sales_role,
    make_user,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MINUS = "\u2212"
WIDE = [1280, 1366, 1920]
PHONE = 390
NO_RELOAD = "window.__noReload = true"


@pytest.fixture
def playbook(transactional_db: Any) -> Playbook:
    """Two roles: Sales (+20 min, net beneficiary) and Service (+10 min, at risk)."""
    lead = make_user("lead", first_name="Lea")
    playbook = make_playbook(lead, name="Salesforce rollout 2027", go_live="2027-03-01")
    add_member(playbook, make_user("manager"), "viewer")
    sales = make_sales_role(
        playbook,
        "Sales",
        question="Does it help me sell?",
        wiifm="Lead scoring.",
    )
    make_giveget(sales, minutes_each=5, times_per_week=8, minutes_saved_per_week=60)
    service = make_role(
        playbook,
        "Service",
        headcount=20,
        question="Does it give me the customer's context?",
        unique_data=1,
        speed=1,
        recognition=0,
        friction=1,
        rigidity=1,  # perceived 0
    )
    make_giveget(service, "Log every case", minutes_each=2, times_per_week=10)
    GiveGet.objects.filter(role=service).update(minutes_saved_per_week=30)  # 30 − 20 = +10
    return playbook


def roles(playbook: Playbook) -> dict[str, Role]:
    return {role.name: role for role in playbook.roles.all()}


def demo_playbook() -> Playbook:
    call_command("seed_demo", "--force", stdout=io.StringIO())
    return Playbook.objects.get(name="Salesforce rollout")


LONG = (
    "When I have logged every call, every meeting and every follow-up in the new system, "
    "will anyone actually read it, or will it only be used to count how many calls I make "
    "and rank me against my colleagues at the Monday meeting? And who answers when it "
    "breaks in the middle of a customer visit on a Friday afternoon?"
)


def big_playbook() -> Playbook:
    """40 roles, 8 Give-Gets each, 300-character questions and answers, and a few
    words that cannot break anywhere."""
    assert len(LONG) >= 300
    lead = make_user("lead", first_name="Lea")
    playbook = make_playbook(lead, name="Large rollout with forty roles", go_live="2027-03-01")
    givegets = []
    for number in range(40):
        name = (
            f"Kundeserviceafdelingsmedarbejderudviklingskonsulent {number}"
            if number % 10 == 3
            else f"Regional key account manager, Northern Europe {number}"
        )
        role = make_role(
            playbook,
            name,
            order=number,
            headcount=10 + number,
            question=LONG[:300],
            wiifm=LONG[:300],
            concerns=LONG[:200],
            quick_win="Voice notes straight into the opportunity, transcribed " * 3,
            unique_data=3,
            speed=2,
            recognition=2,
            friction=3,
            rigidity=2,
        )
        for index in range(8):
            givegets.append(
                GiveGet(
                    role=role,
                    order=index,
                    give=f"Log every customer conversation with its outcome and next step {index}",
                    minutes_each=3 + index,
                    times_per_week=10,
                    get="An automatic weekly pipeline report, with forecasting per region "
                    "and per product line",
                    minutes_saved_per_week=40,
                    owner="Sales operations, Nordics",
                )
            )
    GiveGet.objects.bulk_create(givegets)
    return playbook


# --- 1. The grid fits the screen -----------------------------------------------------------

FITS = """() => {
  const width = document.documentElement.clientWidth;
  const outside = [];
  const check = (element, what) => {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.left < 0 || box.right > width) {
      outside.push(`${what}: ${Math.round(box.left)}..${Math.round(box.right)} of ${width}`);
    }
  };
  const rows = document.querySelectorAll("#matrix .matrix-row");
  rows.forEach((row, index) => {
    const buttons = row.querySelectorAll(".matrix-actions .btn");
    const last = buttons[buttons.length - 1];
    if (!last) outside.push(`row ${index}: no action button`);
    else check(last, `row ${index} ${last.innerText}`);
  });
  document.querySelectorAll(".gg-row:not([hidden]) .gg-table .btn").forEach((button, index) => {
    check(button, `Give-Get ${index} Delete`);
  });
  return {
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: width,
    rows: rows.length,
    outside,
  };
}"""


@pytest.mark.parametrize("width", [*WIDE, PHONE])
@pytest.mark.parametrize("data", ["demo", "forty"])
def test_the_grid_fits_the_screen(
    page: Page, live_server: Any, transactional_db: Any, data: str, width: int
) -> None:
    if data == "demo":
        playbook, password = demo_playbook(), "wiifm-demo"
    else:
        playbook, password = big_playbook(), "correct-horse-battery-staple"
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server.url, "lead", password)
    page.goto(f"{live_server.url}/playbooks/{playbook.pk}/matrix/")
    rows = playbook.roles.count()
    expect(page.locator("#matrix .matrix-row")).to_have_count(rows)

    first = playbook.roles.order_by("order", "pk").first()
    assert first is not None
    # One row's Give-Gets open: their table must fit as well.
    open_givegets(page, first)

    layout = page.evaluate(FITS)
    assert layout["rows"] == rows
    assert layout["scrollWidth"] <= layout["clientWidth"], layout
    assert layout["outside"] == [], layout["outside"]
    name = f"matrix-grid-{data}-{width}"
    screenshot(page, name, full_page=False)
    if data == "demo":
        screenshot(page, f"{name}-full")
    else:  # the row whose name is one long word
        page.locator("#matrix .matrix-row").nth(3).scroll_into_view_if_needed()
        screenshot(page, f"{name}-long-word", full_page=False)


# --- 2. Keyboard only ----------------------------------------------------------------------


def tab_to(page: Page, element_id: str, *, limit: int = 120) -> None:
    """Press Tab until the element has the focus (and fail if it never does)."""
    for _ in range(limit):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached #{element_id}")


def editor_field(page: Page, cell_id: str) -> Locator:
    """The one field of a cell's editor."""
    return page.locator(f"form#{cell_id}").locator("input:not([type=hidden]), textarea, select")


def open_editor(page: Page, cell_id: str) -> Locator:
    """Click a value (once htmx has wired it up); its editor's field has the focus
    and its form is wired up."""
    settled(page)
    page.locator(f"a#{cell_id}").click()
    field = editor_field(page, cell_id)
    expect(field).to_be_focused()
    settled(page)
    return field


def expect_refused(page: Page, cell_id: str, message: str) -> None:
    """The editor is back with its message, the focus in its field, and ready for keys.

    htmx puts the refused editor in place and gives its field the focus at once,
    but only wires up the form when it settles (20 ms later, dropping the
    ``htmx-added`` class): a key pressed before that submits the form as a page."""
    editor = page.locator(f"form#{cell_id}")
    expect(editor.locator(".invalid-feedback")).to_contain_text(message)
    expect(editor_field(page, cell_id)).to_be_focused()
    expect(editor_field(page, cell_id)).to_have_attribute("aria-invalid", "true")
    settled(page)


def retype(page: Page, text: str) -> None:
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(text)


def test_keyboard_only_journey(
    page: Page, live_server: Any, playbook: Playbook, problems: PageProblems
) -> None:
    sales = roles(playbook)["Sales"]
    gg = sales.givegets.get()
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/playbooks/{playbook.pk}/matrix/")
    page.evaluate(NO_RELOAD)
    totals = page.locator("#matrix-totals")
    expect(totals).to_contain_text("60 people")
    expect(totals).to_contain_text("gives back 16.7 hours a week")  # 40×20 + 20×10 = 1000 min

    headcount_id = f"cell-{sales.pk}-headcount"
    headcount_value = page.locator(f"a#{headcount_id}")
    headcount_input = editor_field(page, headcount_id)
    tab_to(page, headcount_id)
    page.keyboard.press("Enter")
    expect(headcount_input).to_be_focused()
    expect(headcount_input).to_have_value("40")

    # Refused values: the message in the cell, the focus in the field, nothing saved.
    for bad, key, message in [
        ("-1", "Enter", "greater than or equal to 0"),
        ("1e9", "Tab", "whole number"),
        ("1000001", "Enter", "less than or equal to 1000000"),
    ]:
        retype(page, bad)
        page.keyboard.press(key)
        expect_refused(page, headcount_id, message)
        sales.refresh_from_db()
        assert sales.headcount == 40
    expect(totals).to_contain_text("60 people")

    # A good one: Tab saves it and opens the next cell, the question, with the focus.
    retype(page, "25")
    page.keyboard.press("Tab")
    question_id = f"cell-{sales.pk}-question"
    question_editor = editor_field(page, question_id)
    expect(question_editor).to_be_focused()
    expect(question_editor).to_have_value("Does it help me sell?")
    expect(headcount_value).to_have_text("Headcount of Sales: 25 people")
    sales.refresh_from_db()
    assert sales.headcount == 25
    expect(totals).to_contain_text("45 people")
    expect(totals).to_contain_text("gives back 11.7 hours a week")  # 25×20 + 20×10 = 700 min
    expect(page.locator("#matrix-status")).to_have_text("Sales saved: net beneficiary.")

    # Escape cancels: the original text is back, and the focus on it.
    retype(page, "Something else entirely")
    page.keyboard.press("Escape")
    question_value = page.locator(f"a#{question_id}")
    expect(question_value).to_be_focused()
    expect(question_value).to_contain_text("“Does it help me sell?”")
    sales.refresh_from_db()
    assert sales.question == "Does it help me sell?"

    # Shift+Tab in an editor goes back to the cell before.
    page.keyboard.press("Enter")
    expect(question_editor).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(headcount_input).to_be_focused()
    expect(headcount_input).to_have_value("25")
    page.keyboard.press("Escape")
    expect(headcount_value).to_be_focused()

    # The row's Give-Gets, opened from the keyboard: 2401 minutes each is refused.
    tab_to(page, f"gg-toggle-{sales.pk}")
    page.keyboard.press("Enter")
    expect(page.locator(f"#gg-toggle-{sales.pk}")).to_have_attribute("aria-expanded", "true")
    expect(page.locator(f"#gg-row-{sales.pk} .gg-table")).to_be_visible()
    settled(page)
    minutes_id = f"gg-cell-{gg.pk}-minutes_each"
    tab_to(page, minutes_id)
    page.keyboard.press("Enter")
    minutes_input = editor_field(page, minutes_id)
    expect(minutes_input).to_be_focused()
    retype(page, "2401")
    page.keyboard.press("Enter")
    expect_refused(page, minutes_id, "at most 2,400 minutes a week")
    gg.refresh_from_db()
    assert gg.minutes_each == 5
    page.keyboard.press("Escape")
    expect(page.locator(f"a#{minutes_id}")).to_be_focused()
    expect(totals).to_contain_text("gives back 11.7 hours a week")

    assert page.evaluate("window.__noReload") is True, "the page reloaded"
    screenshot(page, "matrix-keyboard-1366", full_page=False)
    assert problems.csp_violations() == []


KEY_AS_SOON_AS_REFUSED = """([id, value]) => {
  new MutationObserver((records, observer) => {
    const form = document.querySelector(`form#${id}`);
    if (!form || !form.querySelector(".invalid-feedback")) return;
    observer.disconnect();
    const field = form.querySelector("input:not([type=hidden])");
    field.value = value;
    field.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
  }).observe(document.body, { childList: true, subtree: true });
}"""


def test_a_key_right_after_a_refused_value_stays_in_place(
    page: Page, live_server: Any, playbook: Playbook
) -> None:
    sales = roles(playbook)["Sales"]
    cell_id = f"cell-{sales.pk}-headcount"
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/playbooks/{playbook.pk}/matrix/")
    page.evaluate(NO_RELOAD)
    page.locator(f"#{cell_id}").click()
    field = editor_field(page, cell_id)
    expect(field).to_be_focused()
    # Enter again, with a good value, the moment the refusal is in the page.
    page.evaluate(KEY_AS_SOON_AS_REFUSED, [cell_id, "7"])
    field.fill("-1")
    field.press("Enter")
    expect(page.locator(f"a#{cell_id}")).to_contain_text("7 people")
    sales.refresh_from_db()
    assert sales.headcount == 7
    assert page.evaluate("window.__noReload") is True, "the page reloaded"


# --- 3. A Give-Get's minutes reach the role page and the PDF -------------------------------


def pdf_text(page: Page, url: str) -> str:
    response = page.request.get(url)
    assert response.ok, response.status
    assert response.headers["content-type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.body()))
    return "\n".join(pdf_page.extract_text() for pdf_page in reader.pages)


def test_giveget_minutes_change_the_balance_everywhere(
    page: Page, live_server: Any, playbook: Playbook, problems: PageProblems
) -> None:
    service = roles(playbook)["Service"]
    gg = service.givegets.get()
    base = f"{live_server.url}/playbooks/{playbook.pk}"
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server.url)
    before = pdf_text(page, f"{base}/playbook.pdf")
    assert "30 − 20 = +10 min" in before
    assert f"{MINUS}10" not in before

    page.goto(f"{base}/matrix/")
    page.evaluate(NO_RELOAD)
    balance = page.locator(f"#balance-{service.pk}")
    expect(balance.locator(".balance-value")).to_have_text("+10 min")
    expect(balance.locator(".verdict")).to_have_text("◆ at risk")
    open_givegets(page, service)
    minutes = open_editor(page, f"gg-cell-{gg.pk}-minutes_each")
    minutes.fill("4")  # 4 × 10 = 40 given, 30 gained
    minutes.press("Enter")
    expect(balance.locator(".balance-value")).to_have_text(f"{MINUS}10 min")
    expect(balance.locator(".verdict")).to_have_text("▼ net loser")
    expect(balance).to_contain_text("40 min given · 30 min gained")
    expect(page.locator(f"#gg-cell-{gg.pk}-minutes_each")).to_contain_text("4")
    # Enter moved on to the next value of the Give-Get.
    expect(editor_field(page, f"gg-cell-{gg.pk}-times_per_week")).to_be_focused()
    expect(page.locator("#matrix-status")).to_have_text("Service saved: net loser.")
    totals = page.locator("#matrix-totals")
    expect(totals).to_contain_text("gives back 10.0 hours a week")  # 40×20 − 20×10
    assert page.evaluate("window.__noReload") is True
    screenshot(page, "matrix-giveget-saved-1280", full_page=False)

    page.goto(f"{base}/roles/{service.pk}/")
    expect(page.get_by_test_id("balance")).to_contain_text(f"30 − 40 = {MINUS}10 min")
    expect(page.locator("#equation .verdict")).to_have_text("▼ net loser")

    after = pdf_text(page, f"{base}/playbook.pdf")
    assert f"30 − 40 = {MINUS}10 min" in after
    assert "Net loser" in after
    assert problems.csp_violations() == []


# --- 4. A row's Give-Gets ------------------------------------------------------------------


def open_givegets(page: Page, role: Role, *, keyboard: bool = False) -> None:
    """Open a row's Give-Gets with its toggle (Enter on it, or a click) and wait
    until htmx has loaded and wired them up."""
    toggle = page.locator(f"#gg-toggle-{role.pk}")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator(f"#gg-row-{role.pk}")).to_be_hidden()
    if keyboard:
        toggle.focus()
        page.keyboard.press("Enter")
    else:
        toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator(f"#gg-row-{role.pk} .gg-table")).to_be_visible()
    settled(page)


def test_givegets_open_add_delete_and_stay_open(
    page: Page, live_server: Any, playbook: Playbook, problems: PageProblems
) -> None:
    sales = roles(playbook)["Sales"]
    first = sales.givegets.get()
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/playbooks/{playbook.pk}/matrix/")
    page.evaluate(NO_RELOAD)
    toggle = page.locator(f"#gg-toggle-{sales.pk}")
    row = page.locator(f"#gg-row-{sales.pk}")
    balance = page.locator(f"#balance-{sales.pk} .balance-value")
    expect(balance).to_have_text("+20 min")  # 60 − 40
    open_givegets(page, sales, keyboard=True)
    expect(row.locator("tbody tr[id^='gg-']")).to_have_count(1)

    # Add one: refused without its give, then added; the add form is empty again,
    # with the focus on its first field.
    add = page.locator(f"#gg-add-{sales.pk}")
    give = page.locator(f"#id_new{sales.pk}-give")
    page.locator(f"#id_new{sales.pk}-minutes_each").fill("2")
    add.get_by_role("button", name="Add Give-Get").click()
    expect(add.locator(".invalid-feedback").first).to_be_visible()
    expect(give).to_be_focused()
    assert sales.givegets.count() == 1
    give.fill("Tag the reason for every lost deal")
    page.locator(f"#id_new{sales.pk}-minutes_each").fill("2")
    page.locator(f"#id_new{sales.pk}-times_per_week").fill("5")
    page.locator(f"#id_new{sales.pk}-get").fill("Win-loss report")
    page.locator(f"#id_new{sales.pk}-minutes_saved_per_week").fill("10")
    add.get_by_role("button", name="Add Give-Get").click()
    expect(row.locator("tbody tr[id^='gg-']")).to_have_count(2)
    expect(row).to_contain_text("Tag the reason for every lost deal")
    expect(give).to_be_focused()
    expect(give).to_have_value("")
    expect(toggle).to_contain_text("2 Give-Gets")
    expect(balance).to_have_text("+20 min")  # 70 − 50
    expect(page.locator("#matrix-status")).to_have_text(
        "Give-Get “Tag the reason for every lost deal” added to Sales."
    )
    second = sales.givegets.get(give="Tag the reason for every lost deal")
    assert (second.minutes_each, second.times_per_week, second.minutes_saved_per_week) == (
        2,
        5,
        10,
    )
    screenshot(page, "matrix-givegets-open-1366", full_page=False)

    # Delete the first, accepting the confirmation: the focus goes to the one below.
    messages: list[str] = []

    def accept(dialog: Any) -> None:
        messages.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    row.locator(f"#gg-{first.pk}").get_by_role("link", name="Delete").click()
    expect(row.locator("tbody tr[id^='gg-']")).to_have_count(1)
    assert messages == ["Delete the Give-Get “Log each customer meeting”?"]
    expect(page.locator(f"a#gg-cell-{second.pk}-give")).to_be_focused()
    expect(toggle).to_contain_text("1 Give-Get")
    expect(balance).to_have_text("0 min")  # 10 − 10
    expect(page.locator("#matrix-status")).to_have_text(
        "Give-Get “Log each customer meeting” deleted."
    )
    assert list(sales.givegets.values_list("pk", flat=True)) == [second.pk]

    # A role cell saved: the row stays open.
    wiifm_id = f"cell-{sales.pk}-wiifm"
    wiifm = open_editor(page, wiifm_id)
    wiifm.fill("Lead scoring puts the right customers first.")
    wiifm.press("Enter")
    expect(page.locator(f"a#{wiifm_id}")).to_contain_text("right customers first")
    expect(editor_field(page, f"cell-{sales.pk}-unique_data")).to_be_focused()  # the next
    page.keyboard.press("Escape")
    expect(page.locator(f"a#cell-{sales.pk}-unique_data")).to_be_focused()
    sales.refresh_from_db()
    assert sales.wiifm == "Lead scoring puts the right customers first."
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(row.locator(".gg-table")).to_be_visible()

    # A role added: the whole matrix is drawn again, the row still open, the focus
    # on the add form, empty.
    page.locator("#id_add-name").fill("Marketing")
    page.locator("#id_add-headcount").fill("6")
    page.locator("#add-role").get_by_role("button", name="Add role").click()
    expect(page.locator(".matrix-row", has_text="Marketing")).to_be_visible()
    expect(page.locator("#id_add-name")).to_be_focused()
    expect(page.locator("#id_add-name")).to_have_value("")
    expect(page.locator("#matrix-status")).to_have_text("Role “Marketing” added.")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(row.locator(".gg-table")).to_be_visible()
    expect(row).to_contain_text("Tag the reason for every lost deal")
    assert page.evaluate("window.__noReload") is True, "the page reloaded"

    # Remembered for the tab: a reload opens it again; closing it is remembered too.
    page.reload()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(row.locator(".gg-table")).to_be_visible()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(row).to_be_hidden()
    page.reload()
    expect(page.locator(".matrix-row", has_text="Marketing")).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(row).to_be_hidden()
    assert problems.csp_violations() == []


# --- 5. axe, in English and in Danish ------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "da"])
@pytest.mark.parametrize("width", [1280, PHONE])
def test_axe_with_an_editor_and_givegets_open(
    page: Page,
    live_server: Any,
    playbook: Playbook,
    problems: PageProblems,
    language: str,
    width: int,
) -> None:
    sales = roles(playbook)["Sales"]
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/playbooks/{playbook.pk}/matrix/")
    if language == "da":
        switch_to_danish(page)
        expect(page.get_by_role("heading", level=1)).to_have_text("WIIFM-matrix")
    open_givegets(page, sales)
    question = open_editor(page, f"cell-{sales.pk}-question")
    assert serious_axe_violations(page) == []
    # A refused value, with its message tied to the field.
    question.press("Escape")
    expect(page.locator(f"a#cell-{sales.pk}-question")).to_be_focused()
    headcount = open_editor(page, f"cell-{sales.pk}-headcount")
    headcount.fill("-1")
    headcount.press("Enter")
    expect(page.locator(f"#cell-{sales.pk}-headcount-error")).to_be_visible()
    expect(headcount).to_have_attribute("aria-describedby", f"cell-{sales.pk}-headcount-error")
    assert serious_axe_violations(page) == []
    screenshot(page, f"matrix-axe-{language}-{width}", full_page=False)
    assert problems.csp_violations() == []


EDITOR_FITS = """([id, rowHeight]) => {
  const form = document.querySelector(`form#${id}`);
  const cell = form.closest("th, td").getBoundingClientRect();
  const box = form.getBoundingClientRect();
  const problems = [];
  if (box.left < cell.left - 1 || box.right > cell.right + 1) {
    problems.push(`${id} sticks out of its cell: ${Math.round(box.left)}..${Math.round(box.right)}`
      + ` in ${Math.round(cell.left)}..${Math.round(cell.right)}`);
  }
  for (const button of form.querySelectorAll(".btn")) {
    const range = document.createRange();
    range.selectNodeContents(button);
    const lines = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
    if (lines.size > 1) problems.push(`${id}: “${button.innerText}” on ${lines.size} lines`);
  }
  const height = form.closest("tr").getBoundingClientRect().height;
  if (height > rowHeight + 250) {
    problems.push(`${id}: the row grows from ${Math.round(rowHeight)} to ${Math.round(height)} px`);
  }
  return problems;
}"""


def switch_to_danish(page: Page) -> None:
    page.locator(".language-switcher").get_by_role("button", name="Dansk").click()
    expect(page.locator("html")).to_have_attribute("lang", "da")


def editor_problems(page: Page, cell_ids: list[str], shot: str) -> list[str]:
    """Open each cell's editor in turn (and cancel it): what does not fit."""
    problems = []
    for cell_id in cell_ids:
        value = page.locator(f"a#{cell_id}")
        row_height = value.evaluate("(cell) => cell.closest('tr').getBoundingClientRect().height")
        field = open_editor(page, cell_id)
        problems += page.evaluate(EDITOR_FITS, [cell_id, row_height])
        if cell_id.endswith(("-headcount", "-speed", "-minutes_each")):
            screenshot(page, f"{shot}-{cell_id.rsplit('-', 1)[1]}", full_page=False)
        field.press("Escape")
        expect(value).to_be_focused()
    return problems


@pytest.mark.parametrize(
    ("language", "group"),
    [
        ("en", "role"),
        ("en", "factors"),
        ("en", "giveget"),
        ("da", "role"),
        ("da", "factors"),
        ("da", "giveget"),
    ],
)
def test_every_editor_fits_its_cell(
    page: Page, live_server: Any, playbook: Playbook, language: str, group: str
) -> None:
    """Each value opened in turn at the narrowest wide screen: the editor stays
    inside its cell, no button's word is broken, and the row does not balloon."""
    sales = roles(playbook)["Sales"]
    gg = sales.givegets.get()
    cells = {
        "role": [f"cell-{sales.pk}-{name}" for name in ROLE_CELLS if name not in FACTORS],
        "factors": [f"cell-{sales.pk}-{name}" for name in FACTORS],
        "giveget": [f"gg-cell-{gg.pk}-{name}" for name in GIVEGET_CELLS],
    }[group]
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/playbooks/{playbook.pk}/matrix/")
    if language == "da":
        switch_to_danish(page)
    open_givegets(page, sales)
    problems = editor_problems(page, cells, f"matrix-editor-{language}-1280")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert problems == []


ENGLISH = [
    "Click a value to change it",
    "Perceived (0-5)",
    "Concerns:",
    "none written yet",
    "Role page",
    "follows go-live",
    "Give-Gets of Sales",
    "Min. each",
    "Who delivers",
    "Add a Give-Get to Sales",
    "Headcount of Sales",
    "saved:",
]


def test_the_matrix_in_danish(page: Page, live_server: Any, playbook: Playbook) -> None:
    sales = roles(playbook)["Sales"]
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/playbooks/{playbook.pk}/matrix/")
    switch_to_danish(page)
    open_givegets(page, sales)
    field = open_editor(page, f"cell-{sales.pk}-headcount")
    field.fill("41")
    field.press("Enter")
    expect(page.locator(f"a#cell-{sales.pk}-headcount")).to_contain_text("41")
    text = " ".join((page.locator("main").text_content() or "").split())
    assert [english for english in ENGLISH if english in text] == []


# --- 6. Without JavaScript -----------------------------------------------------------------


def test_the_matrix_without_javascript(
    browser: Browser, live_server: Any, playbook: Playbook
) -> None:
    sales = roles(playbook)["Sales"]
    gg = sales.givegets.get()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server.url)
    matrix = f"{live_server.url}/playbooks/{playbook.pk}/matrix/"
    page.goto(matrix)

    # A cell is a link to its own editor page; saving returns to the matrix.
    page.locator(f"#cell-{sales.pk}-headcount").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Headcount of Sales")
    page.get_by_label("Headcount").fill("-1")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Ensure this value is greater than or equal to 0.")).to_be_visible()
    page.get_by_label("Headcount").fill("12")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{matrix}#role-{sales.pk}")
    expect(page.locator(f"#cell-{sales.pk}-headcount")).to_contain_text("12 people")
    expect(page.get_by_text("Changes saved.")).to_be_visible()
    sales.refresh_from_db()
    assert sales.headcount == 12

    # The toggle opens the row (?open=).
    expect(page.locator(f"#gg-row-{sales.pk}")).to_be_hidden()
    page.locator(f"#gg-toggle-{sales.pk}").click()
    page.wait_for_url(f"{matrix}?open={sales.pk}#gg-row-{sales.pk}")
    expect(page.locator(f"#gg-row-{sales.pk} .gg-table")).to_be_visible()
    expect(page.locator(f"#gg-toggle-{sales.pk}")).to_have_attribute("aria-expanded", "true")

    # A Give-Get's value too, back to the matrix with the row open.
    page.locator(f"#gg-cell-{gg.pk}-minutes_each").click()
    page.get_by_role("spinbutton").fill("10")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(f"#gg-cell-{gg.pk}-minutes_each")).to_contain_text("10")
    expect(page.locator(f"#balance-{sales.pk} .balance-value")).to_have_text(f"{MINUS}20 min")
    expect(page.locator(f"#gg-row-{sales.pk} .gg-table")).to_be_visible()
    context.close()


def test_viewer_reads_the_matrix(page: Page, live_server: Any, playbook: Playbook) -> None:
    page.set_viewport_size({"width": PHONE, "height": 844})
    log_in(page, live_server.url, "manager")
    page.goto(f"{live_server.url}/playbooks/{playbook.pk}/matrix/")
    expect(page.locator(".matrix-row")).to_have_count(2)
    expect(page.locator("[data-cell]")).to_have_count(0)
    expect(page.locator(".cell-static").first).to_be_visible()
    expect(page.get_by_role("button", name="Add role")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    screenshot(page, "matrix-viewer-phone")


def test_a_new_role_is_not_assessed_until_scored(
    page: Page, live_server: Any, playbook: Playbook
) -> None:
    """A role just added reads "not assessed" (grey), not "at risk"; scoring one
    factor in its cell gives it a real verdict, without a reload."""
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/playbooks/{playbook.pk}/matrix/")
    page.locator("#id_add-name").fill("Field service")
    page.locator("#id_add-headcount").fill("12")
    page.get_by_role("button", name="Add role").click()
    expect(page.locator("#id_add-name")).to_be_focused()
    role = playbook.roles.get(name="Field service")
    balance = page.locator(f"#balance-{role.pk}")
    expect(balance).to_contain_text("not assessed")
    expect(balance).not_to_contain_text("at risk")
    field = open_editor(page, f"cell-{role.pk}-speed")
    field.select_option("4")
    field.press("Enter")
    expect(balance).to_contain_text("net beneficiary")
    role.refresh_from_db()
    assert role.speed == 4
    assert role.unique_data is None


def test_undo_after_deleting_a_giveget(page: Page, live_server: Any, playbook: Playbook) -> None:
    """Delete a Give-Get in the matrix, then Undo: it is back, with the balance,
    and the row is still open."""
    sales = roles(playbook)["Sales"]
    giveget = sales.givegets.get()
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/playbooks/{playbook.pk}/matrix/")
    balance = page.locator(f"#balance-{sales.pk} .balance-value")
    open_givegets(page, sales, keyboard=False)
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"#gg-{giveget.pk}").get_by_role("link", name="Delete").click()
    expect(balance).to_have_text("0 min")
    undo = page.locator("#undo")
    expect(undo).to_contain_text("Bring back the Give-Get “Log each customer meeting”.")
    screenshot(page, "matrix-undo-offered", full_page=False)
    expect(undo.get_by_role("button", name="Dismiss")).to_be_visible()
    undo.get_by_role("button", name="Undo").click()
    page.wait_for_load_state()
    screenshot(page, "matrix-undo-done", full_page=False)
    expect(page.locator(".alert-success")).to_have_text("Restored as it was.")
    expect(balance).to_have_text("+20 min")
    expect(page.locator(f"#gg-row-{sales.pk} tbody tr[id^='gg-']")).to_have_count(1)
    assert GiveGet.objects.filter(pk=giveget.pk).exists()


def test_ctrl_z_undoes_a_delete_from_where_the_focus_went(
    page: Page, live_server: Any, playbook: Playbook
) -> None:
    """After a delete the focus moves on (to the next Give-Get or the add
    form); Ctrl+Z there presses the Undo without reaching for it."""
    sales = roles(playbook)["Sales"]
    giveget = sales.givegets.get()
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/playbooks/{playbook.pk}/matrix/")
    open_givegets(page, sales, keyboard=False)
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"#gg-{giveget.pk}").get_by_role("link", name="Delete").click()
    expect(page.locator("#undo")).to_contain_text("Ctrl+Z")
    field = page.locator(f"#id_new{sales.pk}-give")
    expect(field).to_be_focused()  # the add form, the row having no other Give-Get
    field.type("Log")
    page.keyboard.press("Control+z")  # the field's own undo: the typing
    expect(page.locator("#undo")).to_contain_text("Ctrl+Z")
    assert not GiveGet.objects.filter(pk=giveget.pk).exists()
    field.fill("")
    page.keyboard.press("Control+z")  # nothing typed: the delete's Undo
    page.wait_for_load_state()
    expect(page.locator(".alert-success")).to_have_text("Restored as it was.")
    assert GiveGet.objects.filter(pk=giveget.pk).exists()
