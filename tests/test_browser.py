"""The HTML stepper clicked through in a real headless Chromium, driven by Playwright.

CI installs Debian's chromium and sets NNGRAPH_REQUIRE_BROWSER=1, so there a
missing browser fails the test instead of skipping it.
"""

import os
import shutil
from pathlib import Path

import pytest

from nngraph import three_layer_network
from nngraph.render.stepper import Stepper

CHROMIUM = os.environ.get("NNGRAPH_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def _browser_or_skip():
    required = os.environ.get("NNGRAPH_REQUIRE_BROWSER") == "1"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if required:
            raise
        pytest.skip("playwright is not installed (pip install playwright)")
    if not Path(CHROMIUM).exists():
        if required:
            pytest.fail(f"chromium not found at {CHROMIUM}; apt-get install -y chromium")
        pytest.skip(f"chromium not found at {CHROMIUM} (apt-get install -y chromium)")
    return sync_playwright


@pytest.mark.renderer
def test_stepper_clicks_through_to_the_books_output(tmp_path):
    sync_playwright = _browser_or_skip()
    page_path = Stepper(three_layer_network(), [1.0, 0.5], title="three-layer <b>net</b>").save(tmp_path / "step.html")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        messages = []
        page.on("console", lambda m: messages.append(m.text))
        page.on("pageerror", lambda e: messages.append(str(e)))
        page.goto(page_path.as_uri())

        visible = page.locator(".step:not([hidden])")
        assert page.locator("#counter").inner_text() == "Step 1 / 16"
        assert visible.locator(".narration").inner_text() == "x = [1.0, 0.5]"
        assert page.locator("h1").inner_text() == "three-layer <b>net</b>"  # escaped, shown literally

        page.click("#next")
        assert page.locator("#counter").inner_text() == "Step 2 / 16"
        assert visible.get_attribute("data-node") == "a1"
        assert visible.locator(".narration").inner_text() == "a₁⁽¹⁾ = 1.0×0.1 + 0.5×0.2 + 0.1 = 0.3"

        page.keyboard.press("ArrowRight")
        assert visible.get_attribute("data-node") == "z1"
        assert visible.locator(".narration").inner_text() == "z₁⁽¹⁾ = σ(0.3) = 0.57444252"
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        assert page.locator("#counter").inner_text() == "Step 6 / 16"
        page.keyboard.press("ArrowLeft")
        assert page.locator("#counter").inner_text() == "Step 5 / 16"

        assert page.locator(".step:not([hidden]) .view-neuron").is_visible()
        page.click("#toggle")
        assert page.locator(".step:not([hidden]) .view-signal").is_visible()
        assert not page.locator(".step:not([hidden]) .view-neuron").is_visible()
        page.click("#toggle")

        page.keyboard.press("End")
        assert page.locator("#counter").inner_text() == "Step 16 / 16"
        assert visible.locator(".narration").inner_text() == "y = [0.31682708, 0.69627909]"
        assert page.locator("#next").is_disabled()
        page.keyboard.press("Home")
        assert page.locator("#counter").inner_text() == "Step 1 / 16"

        page.keyboard.press("End")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "stepper-last.png"), full_page=True)
        page.keyboard.press("Home")
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        page.screenshot(path=str(ARTIFACTS / "stepper-step4.png"), full_page=True)
        browser.close()
    assert messages == []


@pytest.mark.renderer
def test_notebook_stepper_is_an_isolated_inline_page():
    html_text = three_layer_network().stepper([1.0, 0.5])._repr_html_()
    assert html_text.startswith('<iframe srcdoc="&lt;!DOCTYPE html&gt;')
    assert "<script>" not in html_text  # the page's script is escaped inside srcdoc


@pytest.mark.renderer
def test_hostile_names_reach_the_page_only_as_text(tmp_path):
    import nngraph as ng

    g = ng.Graph("<script>alert(1)</script>")
    x = g.input('x"><script>alert(2)</script>', 2)
    g.activation("<img src=x onerror=alert(3)>", g.affine("a1", x, g.weight("W1", [[1.0], [2.0]])), "relu")
    page = Stepper(g, [1.0, 0.5]).html()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert page.count("<script>") == 1  # the stepper's own
