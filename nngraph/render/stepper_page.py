"""The stepper's HTML: one widget (drawings, frames as data, a small script) and the page around it.

The widget is self-contained and scoped by its id, so a notebook can show it
inline, without an iframe; :func:`page` wraps it into a whole HTML document.
Every text from the user reaches the page escaped: titles through
``html.escape``, the drawings as SVG written by Graphviz, the data as JSON
with ``<``, ``>`` and ``&`` written as ``\\u`` escapes.

Example:
    >>> "Step 1 / 3" in widget("w", "t", {}, {"samples": [{"name": "x", "frames": []}]}, 3, WORDS["en"])
    True
"""

from __future__ import annotations

import html
import json
import re

__all__ = ["WORDS", "page", "widget"]

WORDS = {
    "en": {
        "first": "First", "prev": "◀ Previous", "next": "Next ▶", "last": "Last",
        "counter": "Step {i} / {n}", "neuron": "neuron view", "signal": "signal view",
        "keys": "keys: ← → Home End, V switches the view", "predicted": "predicted {k} (p = {p})",
        "label": "label", "sample": "sample {n}", "where": "where you are",
    },
    "zh": {
        "first": "第一步", "prev": "◀ 上一步", "next": "下一步 ▶", "last": "最後一步",
        "counter": "第 {i} / {n} 步", "neuron": "神經元圖", "signal": "訊號圖",
        "keys": "按鍵：← → Home End，V 切換視圖", "predicted": "預測 {k} (p = {p})",
        "label": "標籤", "sample": "樣本 {n}", "where": "目前位置",
    },
}


def _json(data) -> str:
    """JSON safe inside a <script> element: no "</script>", no markup at all."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def _inline_svg(svg: str, prefix: str) -> str:
    """SVG text ready to sit inside HTML: no XML prolog, ids unique to this widget."""
    start = svg.find("<svg")
    svg = svg[start:] if start >= 0 else svg
    return re.sub(r'\bid="', f'id="{prefix}', svg)


def widget(uid: str, title: str, svgs: dict[str, str], data: dict, total: int, words: dict) -> str:
    """The stepper as one ``<div>``: header, narration panel, one stage per view, data and script."""
    views = list(svgs)
    stages = "".join(f'<div class="ng-stage" data-view="{view}">{_inline_svg(svg, f"{uid}-{view}-")}</div>' for view, svg in svgs.items())
    samples = data["samples"]
    picker = ""
    if len(samples) > 1:
        options = "".join(f'<option value="{i}">{html.escape(s["name"])}</option>' for i, s in enumerate(samples))
        picker = f'<select class="ng-sample" title="{html.escape(words["sample"].format(n="…"))}">{options}</select>'
    toggle = f'<button class="ng-toggle">{html.escape(words[views[1]])}</button>' if len(views) > 1 else ""
    buttons = "".join(
        f'<button data-go="{go}" title="{key}">{html.escape(words[go])}</button>' + (f'<span class="ng-counter">{html.escape(words["counter"].format(i=1, n=total))}</span>' if go == "prev" else "")
        for go, key in (("first", "Home"), ("prev", "←"), ("next", "→"), ("last", "End"))
    )
    return WIDGET.format(
        uid=uid, view=views[0] if views else "", title=html.escape(title), picker=picker, buttons=buttons, toggle=toggle,
        keys=html.escape(words["keys"]), where=html.escape(words["where"]), stages=stages, data=_json(data), script=SCRIPT.replace("UID", uid),
    )


def page(title: str, body: str, language: str = "en") -> str:
    """A whole HTML document holding ``body`` (a widget); keys work anywhere on the page."""
    return PAGE.format(title=html.escape(title), body=body, lang="zh-Hant" if language == "zh" else "en")


PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body {{ margin: .8rem 1rem; }}</style>
</head>
<body data-page="stepper">
{body}
</body>
</html>
"""

WIDGET = """<div class="nngraph-stepper" id="{uid}" tabindex="0" data-view="{view}">
<style>
#{uid} {{ font-family: system-ui, 'DejaVu Sans', sans-serif; color: #222; outline: none; }}
#{uid} .ng-bar {{ display: flex; gap: .4rem .6rem; align-items: center; flex-wrap: wrap; }}
#{uid} h1 {{ font-size: 1.15rem; margin: 0 .8rem 0 0; }}
#{uid} button, #{uid} select {{ font-size: .95rem; padding: .25rem .7rem; }}
#{uid} .ng-counter {{ font-variant-numeric: tabular-nums; min-width: 6.5rem; text-align: center; }}
#{uid} .ng-keys {{ color: #555; font-size: .8rem; }}
#{uid} .ng-panel {{ display: flex; gap: 1rem; align-items: flex-start; margin: .5rem 0; }}
#{uid} .ng-narration {{ flex: 1; margin: 0; font-family: 'DejaVu Sans', system-ui, sans-serif; font-size: 1.05rem; background: #f4f6fb;
  border-left: 4px solid #3465a4; padding: .5rem .8rem; white-space: pre-wrap; overflow-wrap: anywhere; min-width: 0; }}
#{uid} .ng-picture {{ width: 84px; height: 84px; image-rendering: pixelated; border: 1px solid #999; }}
#{uid} .ng-picture.ng-big {{ width: 140px; height: 140px; }}
#{uid} .ng-outputs {{ font-size: .85rem; min-width: 13rem; }}
#{uid} .ng-row {{ display: flex; align-items: center; gap: .3rem; height: 1.05rem; }}
#{uid} .ng-row span:first-child {{ width: 1rem; text-align: right; font-weight: bold; }}
#{uid} .ng-row i {{ display: inline-block; height: .7rem; background: #9bb7d4; }}
#{uid} .ng-row.ng-best i {{ background: #e66100; }}
#{uid} .ng-row.ng-best {{ font-weight: bold; }}
#{uid} .ng-line {{ font-weight: bold; margin-top: .2rem; }}
#{uid} .ng-overview {{ border: 1px solid #bbb; background: #fff; font-size: .8rem; color: #555; text-align: center; }}
#{uid} .ng-overview svg {{ display: block; width: 180px; height: 110px; }}
#{uid} .ng-overview rect {{ fill: rgba(230, 97, 0, .12); stroke: #e66100; stroke-width: 4; vector-effect: non-scaling-stroke; }}
#{uid} .ng-stage {{ overflow: hidden; max-width: 100%; }}
#{uid} .ng-stage svg {{ display: block; max-width: none; }}
#{uid}[data-view="neuron"] .ng-stage[data-view="signal"], #{uid}[data-view="signal"] .ng-stage[data-view="neuron"] {{ display: none; }}
#{uid} .ng-label {{ display: none; }}
#{uid} .ng-label.ng-shown {{ display: inline; }}
#{uid} .ng-current > ellipse, #{uid} .ng-current > path, #{uid} .ng-current > polygon {{ stroke: #e66100; stroke-width: 2.5; fill: #fff1c9; }}
#{uid} .ng-activating > ellipse {{ stroke: #2f9e44; stroke-width: 3; fill: #e3f4e1; stroke-dasharray: 6 3; }}
#{uid} .ng-grey > ellipse, #{uid} .ng-grey > path, #{uid} .ng-grey > polygon {{ stroke: #b0b0b0; }}
#{uid} .ng-grey text {{ fill: #a0a0a0; }}
#{uid} .ng-edge-current > path {{ stroke: #e66100; stroke-width: 2.5; }}
#{uid} .ng-edge-current > polygon {{ stroke: #e66100; fill: #e66100; }}
#{uid} .ng-edge-faint > path {{ stroke: #dcdcdc; }}
#{uid} .ng-edge-faint > polygon {{ stroke: #dcdcdc; fill: #dcdcdc; }}
#{uid} .ng-edge-faint text {{ fill: #b0b0b0; }}
</style>
<div class="ng-bar"><h1>{title}</h1>{picker}{buttons}{toggle}<span class="ng-keys">{keys}</span></div>
<div class="ng-panel"><pre class="ng-narration"></pre><img class="ng-picture" alt="" hidden><div class="ng-outputs" hidden></div>
<div class="ng-overview" hidden><svg></svg>{where}</div></div>
{stages}
<script type="application/json" class="ng-data">{data}</script>
<script>{script}</script>
</div>
"""

SCRIPT = r"""
(function () {
"use strict";
const root = document.getElementById("UID");
const data = JSON.parse(root.querySelector(".ng-data").textContent);
const words = data.words, columns = data.columns;
const NATURAL = 4 / 3, LEGIBLE = 10 / 12;  // CSS px per pt: as drawn, and the least that keeps 12-pt text at 10 px
const SVGNS = "http://www.w3.org/2000/svg";
const $ = (selector) => root.querySelector(selector);
let sample = 0, step = 0;

function prepare(stage) {
  const svg = stage.querySelector("svg"), graph = svg.querySelector("g.graph");
  const box = svg.viewBox.baseVal, shift = /translate\(([-\d.]+)[ ,]+([-\d.]+)\)/.exec(graph.getAttribute("transform") || "");
  const view = { name: stage.dataset.view, stage, svg, graph, full: { x: box.x, y: box.y, w: box.width, h: box.height },
    shift: shift ? [+shift[1], +shift[2]] : [0, 0], nodes: {}, edges: {}, numbered: {}, texts: {} };
  svg.removeAttribute("width"); svg.removeAttribute("height");
  for (const g of graph.querySelectorAll(":scope > g")) {
    const title = g.querySelector("title"); if (!title) continue;
    const name = title.textContent;
    if (g.classList.contains("edge")) {
      view.edges[name] = g;
      const number = /edge(\d+)$/.exec(g.id);
      if (number) view.numbered[+number[1]] = g;
    }
    else if (g.classList.contains("node")) {
      view.nodes[name] = g;
      view.texts[name] = Array.from(g.querySelectorAll("text")).map((t) => ({ el: t, bare: t.textContent.split(" = ")[0] }));
      if (view.name === "neuron" && /^L/.test(name)) g.classList.add("ng-label");
    }
  }
  view.firstNode = graph.querySelector(":scope > g.node");
  const copy = graph.cloneNode(true);
  copy.querySelectorAll("text, title").forEach((e) => e.remove());
  copy.querySelectorAll("[id]").forEach((e) => e.removeAttribute("id"));
  copy.removeAttribute("id");
  view.overview = copy;
  return view;
}
const views = {};
root.querySelectorAll(".ng-stage").forEach((stage) => { views[stage.dataset.view] = prepare(stage); });

function neuronView(view, frame, values) {
  const column = columns.findIndex((c) => c.includes(frame.node));
  const reached = columns.map((c) => c.some((name) => name in frame.known));
  const current = new Set();
  for (const [name, g] of Object.entries(view.nodes)) {
    const m = /^([NGC])(\d+)(?:_(\d+))?$/.exec(name), b = /^B(\d+)$/.exec(name);
    if (b) { g.classList.toggle("ng-grey", !reached[+b[1]]); continue; }
    if (!m) continue;
    const c = +m[2];
    g.classList.toggle("ng-grey", !reached[c]);
    if (m[1] !== "N") continue;
    const i = +m[3], now = c === column && (frame.neuron === null || frame.neuron === i);
    g.classList.toggle("ng-current", now && frame.kind !== "activation");
    g.classList.toggle("ng-activating", now && frame.kind === "activation");
    if (now) current.add(name);
    view.texts[name].forEach((t, row) => {
      const node = columns[c][row], known = node !== undefined && (frame.known[node] || 0) > i;
      t.el.textContent = known ? t.bare + " = " + values.neurons[node][i] : t.bare;
    });
  }
  const focus = Array.from(current, (name) => view.nodes[name]);
  for (const [name, g] of Object.entries(view.edges)) {
    const cut = name.indexOf("->"), source = name.slice(0, cut), target = name.slice(cut + 2), c = +/^N(\d+)/.exec(target)[1];
    const now = current.has(target) && frame.kind === "affine";
    g.classList.toggle("ng-edge-current", now);
    g.classList.toggle("ng-edge-faint", !reached[c]);
    const label = view.nodes["L" + source + "_" + target];
    if (label) label.classList.toggle("ng-shown", now);
    if (now) { view.graph.insertBefore(g, view.firstNode); focus.push(g); if (label) focus.push(label); }
  }
  return focus;
}

function signalView(view, frame, values) {
  const focus = [], exits = new Map(data.signal_edges.filter((e) => e[2]).map((e) => [e[1], e[0]]));
  const reached = (name) => name in frame.known || name === frame.node ||
    (data.readers[name] || []).some((r) => r === frame.node || r in frame.known);
  for (const [name, g] of Object.entries(view.nodes)) {
    g.classList.toggle("ng-current", name === frame.node);
    g.classList.toggle("ng-grey", !reached(exits.has(name) ? exits.get(name) : name));
    if (name === frame.node) focus.push(g);
    const lines = frame.lines && frame.lines[name] ? frame.lines[name] : name in frame.known ? values.signal[name] : null;
    view.texts[name].slice(1).forEach((t, k) => { t.el.textContent = lines && lines[k] !== undefined ? lines[k] : ""; });
  }
  for (const [number, g] of Object.entries(view.numbered)) {  // edge N of the page is signal_edges[N - 1]
    const [source, target, exit] = data.signal_edges[number - 1];
    g.classList.toggle("ng-edge-current", target === frame.node);
    g.classList.toggle("ng-edge-faint", !reached(exit ? source : target));
    if (target === frame.node) focus.push(g);
  }
  return focus;
}

function box(view, elements) {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const el of elements) {
    const b = el.getBBox();
    x0 = Math.min(x0, b.x); y0 = Math.min(y0, b.y); x1 = Math.max(x1, b.x + b.width); y1 = Math.max(y1, b.y + b.height);
  }
  if (x0 === Infinity) return null;
  return { x: x0 + view.shift[0], y: y0 + view.shift[1], w: x1 - x0, h: y1 - y0 };
}

function fit(view, focus) {
  const width = view.stage.clientWidth, top = view.stage.getBoundingClientRect().top;
  const height = Math.max(240, window.innerHeight - Math.max(top, 0) - 12);
  const full = view.full;
  let scale = Math.min(width / full.w, height / full.h, NATURAL), shown = full;
  if (scale < LEGIBLE) {  // too big to read whole: follow the current neuron at a legible size, as wide as fits
    scale = Math.max(LEGIBLE, Math.min(width / full.w, NATURAL));
    const w = Math.min(full.w, width / scale), h = Math.min(full.h, height / scale);
    const f = box(view, focus) || full;
    let x = f.w > w ? f.x + f.w - w : f.x + f.w / 2 - w / 2, y = f.h > h ? f.y : f.y + f.h / 2 - h / 2;
    x = Math.max(full.x, Math.min(x, full.x + full.w - w)); y = Math.max(full.y, Math.min(y, full.y + full.h - h));
    shown = { x, y, w, h };
  }
  view.svg.setAttribute("viewBox", [shown.x, shown.y, shown.w, shown.h].join(" "));
  view.svg.style.width = shown.w * scale + "px"; view.svg.style.height = shown.h * scale + "px";
  overview(view, shown, shown !== full);
}

function overview(view, shown, zoomed) {
  const frame = $(".ng-overview"), svg = frame.querySelector("svg");
  frame.hidden = !zoomed;
  if (!zoomed) return;
  const full = view.full;
  svg.setAttribute("viewBox", [full.x, full.y, full.w, full.h].join(" "));
  svg.replaceChildren(view.overview.cloneNode(true));
  const rect = document.createElementNS(SVGNS, "rect");
  for (const [k, v] of Object.entries({ x: shown.x, y: shown.y, width: shown.w, height: shown.h })) rect.setAttribute(k, v);
  svg.appendChild(rect);
}

function outputs(frame, values) {
  const panel = $(".ng-outputs"), out = values.outputs;
  const known = out ? frame.known[out.node] || 0 : 0;
  panel.hidden = !known;
  if (!known) return;
  panel.replaceChildren();
  out.p.slice(0, known).forEach((p, k) => {
    const row = document.createElement("div");
    row.className = "ng-row" + (k === out.best && known === out.p.length ? " ng-best" : "");
    const digit = document.createElement("span"), bar = document.createElement("i"), number = document.createElement("span");
    digit.textContent = k; bar.style.width = (p * 9).toFixed(2) + "rem"; number.textContent = p.toFixed(3);
    row.append(digit, bar, number); panel.appendChild(row);
  });
  if (known === out.p.length) {
    const line = document.createElement("div"); line.className = "ng-line"; line.textContent = out.line; panel.appendChild(line);
  }
}

function show(index) {
  const values = data.samples[sample], frames = values.frames;
  step = Math.max(0, Math.min(frames.length - 1, index));
  const frame = frames[step];
  $(".ng-narration").textContent = frame.text;
  $(".ng-counter").textContent = words.counter.replace("{i}", step + 1).replace("{n}", frames.length);
  root.querySelectorAll("[data-go]").forEach((b) => {
    b.disabled = (b.dataset.go === "first" || b.dataset.go === "prev") ? step === 0 : step === frames.length - 1;
  });
  const picture = $(".ng-picture");
  picture.hidden = !values.picture;
  if (values.picture) { picture.src = values.picture; picture.classList.toggle("ng-big", frame.node === data.input); }
  outputs(frame, values);
  root.dataset.step = step; root.dataset.node = frame.node;
  const focus = {};
  if (views.neuron) focus.neuron = neuronView(views.neuron, frame, values);
  if (views.signal) focus.signal = signalView(views.signal, frame, values);
  const visible = views[root.dataset.view];
  if (visible) fit(visible, focus[visible.name]);
}

function go(where) {
  const last = data.samples[sample].frames.length - 1;
  show({ first: 0, prev: step - 1, next: step + 1, last }[where]);
}
function switchView() {
  const toggle = $(".ng-toggle"); if (!toggle) return;
  const other = root.dataset.view === "neuron" ? "signal" : "neuron";
  toggle.textContent = words[root.dataset.view];
  root.dataset.view = other;
  show(step);
}
root.querySelectorAll("[data-go]").forEach((b) => { b.onclick = () => { go(b.dataset.go); root.focus({ preventScroll: true }); }; });
const toggle = $(".ng-toggle"); if (toggle) toggle.onclick = () => { switchView(); root.focus({ preventScroll: true }); };
const picker = $(".ng-sample"); if (picker) picker.onchange = () => { sample = +picker.value; show(step); };
const keys = { ArrowRight: "next", ArrowLeft: "prev", Home: "first", End: "last" };
(document.body.dataset.page === "stepper" ? document : root).addEventListener("keydown", (event) => {
  if (event.target.tagName === "SELECT") return;
  if (keys[event.key]) go(keys[event.key]);
  else if (event.key === "v" || event.key === "V") switchView();
  else return;
  event.preventDefault();
});
window.addEventListener("resize", () => show(step));
show(0);
})();
"""
