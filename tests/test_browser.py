"""The HTML stepper clicked through in a real headless Chromium, driven by Playwright.

CI installs Debian's chromium and sets NNGRAPH_REQUIRE_BROWSER=1, so there a
missing browser fails the test instead of skipping it.
"""

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from nngraph import three_layer_network
from nngraph.render.stepper import Stepper

CHROMIUM = os.environ.get("NNGRAPH_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
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


SMALL_TEXT = """() => {
  const small = [];
  for (const t of document.querySelectorAll("svg text")) {
    const r = t.getBoundingClientRect();
    if (!r.width || r.bottom < 0 || r.top > innerHeight || r.right < 0 || r.left > innerWidth) continue;
    if (t.closest("[hidden]") || !t.checkVisibility()) continue;
    const m = t.getScreenCTM(), px = parseFloat(t.getAttribute("font-size")) * Math.hypot(m.a, m.b);
    if (px < 9.95) small.push(t.textContent + " at " + px.toFixed(1) + " px");
  }
  for (const e of document.querySelectorAll("button, select, pre, span, div, h1")) {
    if (e.checkVisibility() && e.textContent.trim() && parseFloat(getComputedStyle(e).fontSize) < 9.95) small.push(e.className);
  }
  return small;
}"""
SIZES = [(1280, 800), (800, 600)]


def _open(browser, path, size, messages):
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.on("console", lambda m: messages.append(m.text))
    page.on("pageerror", lambda e: messages.append(str(e)))
    page.goto(path.as_uri())
    return page


def _legible(page, where: str) -> None:
    assert page.evaluate(SMALL_TEXT) == [], where
    assert page.evaluate("() => document.documentElement.scrollWidth - innerWidth") <= 0, f"{where}: scrolls sideways"


@pytest.mark.renderer
def test_stepper_clicks_through_to_the_books_output(tmp_path):
    sync_playwright = _browser_or_skip()
    page_path = Stepper(three_layer_network(), [1.0, 0.5], title="three-layer <b>net</b>").save(tmp_path / "step.html")
    messages = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = _open(browser, page_path, SIZES[0], messages)
        narration = page.locator(".ng-narration")
        assert page.locator(".ng-counter").inner_text() == "Step 1 / 16"
        assert narration.inner_text() == "x = [1.0, 0.5]"
        assert page.locator("h1").inner_text() == "three-layer <b>net</b>"  # escaped, shown literally

        page.click("[data-go=next]")
        assert page.locator(".ng-counter").inner_text() == "Step 2 / 16"
        assert narration.inner_text() == "a₁⁽¹⁾ = w₁₁⁽¹⁾x₁ + w₁₂⁽¹⁾x₂ + b₁⁽¹⁾ = 1.0×0.1 + 0.5×0.2 + 0.1 = 0.3"
        shown = page.locator(".ng-stage[data-view=neuron] .ng-label.ng-shown text").all_text_contents()
        assert sorted(shown) == ["b₁⁽¹⁾ = 0.1", "w₁₁⁽¹⁾ = 0.1", "w₁₂⁽¹⁾ = 0.2"]  # the arrows into a₁⁽¹⁾, symbol and number

        page.keyboard.press("ArrowRight")
        assert narration.inner_text() == "z₁⁽¹⁾ = σ(a₁⁽¹⁾) = σ(0.3) = 0.57444252"
        neuron_view = page.locator(".ng-stage[data-view=neuron]")
        assert neuron_view.locator(".ng-activating").count() == 1 and neuron_view.locator(".ng-current").count() == 0  # h() applied
        assert page.locator(".ng-stage[data-view=neuron] .ng-label.ng-shown").count() == 0
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        assert page.locator(".ng-counter").inner_text() == "Step 6 / 16"
        page.keyboard.press("ArrowLeft")
        assert page.locator(".ng-counter").inner_text() == "Step 5 / 16"
        texts = page.locator(".ng-stage[data-view=neuron] g.node text").all_text_contents()
        assert "a₂⁽¹⁾ = 0.7" in texts and "a₃⁽¹⁾" in texts  # computed neurons show their number, the others only their symbol

        assert page.locator(".ng-stage[data-view=neuron]").is_visible()
        page.click(".ng-toggle")
        assert page.locator(".ng-stage[data-view=signal]").is_visible() and not page.locator(".ng-stage[data-view=neuron]").is_visible()
        signal_texts = page.locator(".ng-stage[data-view=signal] text").all_text_contents()
        assert "[0.3, 0.7, ?]" in signal_texts and "[0.5744, 0.6682, ?]" in signal_texts and "[0.5162, 1.214]" not in signal_texts
        page.click(".ng-toggle")

        page.keyboard.press("End")
        assert page.locator(".ng-counter").inner_text() == "Step 16 / 16"
        assert narration.inner_text() == "y = [0.31682708, 0.69627909]"
        assert page.locator("[data-go=next]").is_disabled()
        page.keyboard.press("Home")
        assert page.locator(".ng-counter").inner_text() == "Step 1 / 16"
        browser.close()
    assert messages == []


@pytest.mark.renderer
@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_every_step_of_the_three_layer_stepper_is_legible(tmp_path, size):
    sync_playwright = _browser_or_skip()
    page_path = Stepper(three_layer_network(), [1.0, 0.5]).save(tmp_path / "step.html")
    messages = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = _open(browser, page_path, size, messages)
        for view in ("neuron", "signal"):
            for step in range(16):
                _legible(page, f"{view} view, step {step + 1}")
                if step == 3:
                    page.screenshot(path=str(tmp_path / f"three-layer-{view}-{size[0]}.png"))
                page.keyboard.press("ArrowRight")
            page.keyboard.press("v")
            page.keyboard.press("Home")
        browser.close()
    assert messages == []


@pytest.mark.renderer
@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_mnist_stepper_shows_the_digit_and_says_the_prediction(tmp_path, mnist_net, mnist_test_set, size):
    sync_playwright = _browser_or_skip()
    images, labels = mnist_test_set
    page_path = Stepper(mnist_net, images[:10], sample=[0, 8], labels=labels[:10]).save(tmp_path / "mnist.html")
    messages = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = _open(browser, page_path, size, messages)
        picture = page.locator(".ng-picture")
        assert picture.is_visible() and picture.evaluate("img => img.naturalWidth") == 28
        assert picture.bounding_box()["width"] >= 100  # the x step shows the digit big
        _legible(page, "step 1")
        page.keyboard.press("ArrowRight")
        assert page.locator(".ng-narration").inner_text().startswith("a₁⁽¹⁾ = w₁₁⁽¹⁾x₁")
        assert page.locator(".ng-overview").is_visible()  # too big to show whole: zoomed, with where it is
        _legible(page, "step 2")
        page.screenshot(path=str(tmp_path / f"mnist-step2-{size[0]}.png"))
        page.keyboard.press("End")
        rows = page.locator(".ng-outputs .ng-row")
        assert rows.count() == 10 and rows.nth(7).get_attribute("class") == "ng-row ng-best"
        assert [rows.nth(k).locator("span").first.inner_text() for k in range(10)] == [str(k) for k in range(10)]
        assert page.locator(".ng-line").inner_text().startswith("predicted 7 (p = 0.997)")
        assert page.locator(".ng-line").inner_text().endswith("label 7 ✓")
        _legible(page, "last step")
        page.screenshot(path=str(tmp_path / f"mnist-last-{size[0]}.png"))
        page.select_option(".ng-sample", "1")
        predicted = int(np.argmax(mnist_net.forward(images[8])))
        assert page.locator(".ng-line").inner_text().startswith(f"predicted {predicted} ")
        assert page.locator(".ng-line").inner_text().endswith(f"label {labels[8]} ✗")
        browser.close()
    assert messages == []


@pytest.mark.renderer
def test_two_inline_steppers_on_one_page_step_on_their_own(tmp_path):
    """As in a notebook: widgets inline (no iframe), each with its own buttons, keys and ids."""
    sync_playwright = _browser_or_skip()
    from nngraph import xor_gate

    cells = [Stepper(net, x)._repr_mimebundle_()["text/html"] for net, x in ((three_layer_network(), [1.0, 0.5]), (xor_gate(), [1.0, 0.0]))]
    path = tmp_path / "notebook.html"
    path.write_text("<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>" + "".join(cells) + "</body></html>", encoding="utf-8")
    messages = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = _open(browser, path, SIZES[0], messages)
        first, second = page.locator(".nngraph-stepper").nth(0), page.locator(".nngraph-stepper").nth(1)
        first.locator("[data-go=next]").click()
        page.keyboard.press("ArrowRight")  # the clicked widget has the keys
        assert first.locator(".ng-counter").inner_text() == "Step 3 / 16"
        assert second.locator(".ng-counter").inner_text().startswith("Step 1 / ")
        second.locator("[data-go=last]").click()
        assert second.locator(".ng-narration").inner_text().startswith("y = ")
        assert first.locator(".ng-counter").inner_text() == "Step 3 / 16"
        browser.close()
    assert messages == []


@pytest.mark.renderer
def test_names_with_arrows_in_them_do_not_confuse_the_signal_view(tmp_path):
    sync_playwright = _browser_or_skip()
    import nngraph as ng

    g = ng.Graph("arrows")
    g.activation("z->y", g.affine("a->1", g.input("x->", 2), g.weight("W", [[1.0], [2.0]])), "relu")
    path = Stepper(g, [1.0, 0.5], views="signal").save(tmp_path / "arrows.html")
    messages = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = _open(browser, path, SIZES[0], messages)
        page.keyboard.press("ArrowRight")  # a->1 = x->·W
        current = page.locator(".ng-edge-current title").all_text_contents()
        assert sorted(current) == ["W->a->1", "x->->a->1"]
        browser.close()
    assert messages == []
