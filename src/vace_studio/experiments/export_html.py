"""The static ``index.html`` of an exported run: its videos side by side, labelled.

Self-contained: inline CSS and a few lines of inline JS (play / pause all together), no fonts,
scripts or images from anywhere else, so the page works opened from disk with no network. Every
value shown is HTML-escaped. With exactly two varied fields the videos form a table (rows: the
first field, columns: the second); otherwise a wrapping grid of labelled cards.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from html import escape
from typing import Any

from vace_studio.engine.status import WITH_VIDEO

_CSS = """
:root { color-scheme: light dark; --bg: #fff; --fg: #1d1d1f; --muted: #6b6b70;
  --card: #f4f4f6; --line: #d9d9de; --bad: #b3261e; }
@media (prefers-color-scheme: dark) { :root { --bg: #18181b; --fg: #ececf1; --muted: #a0a0a8;
  --card: #24242a; --line: #3a3a42; --bad: #f2b8b5; } }
* { box-sizing: border-box; }
body { margin: 0; padding: 1.5rem; background: var(--bg); color: var(--fg);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
h1 { font-size: 1.4rem; margin: 0 0 .3rem; }
.summary { color: var(--muted); margin: 0 0 1rem; }
.controls { display: flex; gap: .6rem; align-items: center; margin-bottom: 1.2rem; }
button { font: inherit; padding: .3rem .8rem; border-radius: 6px; border: 1px solid var(--line);
  background: var(--card); color: var(--fg); cursor: pointer; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 1rem; }
figure { margin: 0; background: var(--card); border-radius: 8px; padding: .5rem; }
video { width: 100%; display: block; border-radius: 4px; background: #000; }
figcaption { margin-top: .4rem; font-size: .9rem; }
dl { margin: 0; display: grid; grid-template-columns: auto 1fr; gap: 0 .6rem; }
dt { color: var(--muted); } dd { margin: 0; overflow-wrap: anywhere; }
.meta { color: var(--muted); font-size: .8rem; }
.missing { aspect-ratio: 16 / 9; display: flex; flex-direction: column; justify-content: center;
  align-items: center; text-align: center; padding: 1rem; border: 1px dashed var(--line);
  border-radius: 4px; }
.missing strong { color: var(--bad); }
table.grid { border-collapse: separate; border-spacing: .6rem; }
table.grid th { text-align: left; vertical-align: middle; font-weight: 600;
  overflow-wrap: anywhere; max-width: 22rem; }
table.grid td { vertical-align: top; width: 320px; }
details { margin-top: 1.5rem; } pre { white-space: pre-wrap; overflow-wrap: anywhere;
  background: var(--card); padding: .8rem; border-radius: 6px; font-size: .85rem; }
"""

_JS = """
const videos = () => Array.from(document.querySelectorAll("video"));
document.getElementById("play").addEventListener("click", () => {
  for (const v of videos()) { v.currentTime = 0; v.play().catch(() => {}); }
});
document.getElementById("pause").addEventListener("click", () => {
  for (const v of videos()) v.pause();
});
document.getElementById("loop").addEventListener("change", (e) => {
  for (const v of videos()) v.loop = e.target.checked;
});
"""


def _text(value: Any) -> str:
    """A value as people read it: strings bare, anything else as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _labels_html(labels: Mapping[str, Any]) -> str:
    if not labels:
        return ""
    rows = "".join(
        f"<dt>{escape(name)}</dt><dd>{escape(_text(value))}</dd>" for name, value in labels.items()
    )
    return f"<dl>{rows}</dl>"


def _meta(task: Mapping[str, Any]) -> str:
    parts = [task["status"]]
    if task.get("cost") is not None:
        parts.append(f"${task['cost']:.2f}")
    return " · ".join(parts)


def _card(task: Mapping[str, Any], shown: Mapping[str, Any]) -> str:
    if task.get("video"):
        media = (
            f'<video src="{escape(task["video"])}" controls muted loop playsinline '
            f'preload="auto" title="{escape(_text(task["labels"]))}"></video>'
        )
    else:
        why = task.get("note") or ": ".join(
            str(x) for x in (task.get("error_code"), task.get("error_message")) if x
        )
        media = (
            f'<div class="missing"><strong>{escape(task["status"])}</strong>'
            f"<span>{escape(why or 'no video')}</span></div>"
        )
    caption = _labels_html(shown) + f'<span class="meta">{escape(_meta(task))}</span>'
    return (
        f'<figure class="card" data-status="{escape(task["status"])}" '
        f'data-index="{task["index"]}">{media}<figcaption>{caption}</figcaption></figure>'
    )


def _distinct(values: list[Any]) -> list[Any]:
    seen: dict[str, Any] = {}
    for value in values:
        seen.setdefault(json.dumps(value, sort_keys=True), value)
    return list(seen.values())


def _table(fields: list[str], tasks: list[Mapping[str, Any]]) -> str:
    rows_field, cols_field = fields
    rows = _distinct([t["labels"].get(rows_field) for t in tasks])
    cols = _distinct([t["labels"].get(cols_field) for t in tasks])

    def key(value: Any) -> str:
        return json.dumps(value, sort_keys=True)

    at: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for task in tasks:
        where = (key(task["labels"].get(rows_field)), key(task["labels"].get(cols_field)))
        at.setdefault(where, []).append(task)
    head = "".join(f"<th>{escape(cols_field)} = {escape(_text(c))}</th>" for c in cols)
    body = []
    for r in rows:
        cells = "".join(
            "<td>" + "".join(_card(t, {}) for t in at.get((key(r), key(c)), [])) + "</td>"
            for c in cols
        )
        body.append(f"<tr><th>{escape(rows_field)} = {escape(_text(r))}</th>{cells}</tr>")
    corner = f"{escape(rows_field)} ↓ · {escape(cols_field)} →"
    return (
        f'<table class="grid"><thead><tr><th>{corner}</th>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _summary(manifest: Mapping[str, Any]) -> str:
    tasks = manifest["tasks"]
    functions = sorted({t["function"] for t in tasks})
    providers = sorted({t["provider"] for t in tasks})
    ok = sum(t["status"] in WITH_VIDEO for t in tasks)
    parts = [f"{len(tasks)} task{'s' if len(tasks) != 1 else ''} ({ok} succeeded)"]
    parts += [", ".join(functions), ", ".join(providers)]
    if manifest["fields"]:
        parts.append("varied: " + " × ".join(manifest["fields"]))
    if manifest.get("total_cost") is not None:
        parts.append(f"cost ${manifest['total_cost']:.2f}")
    parts.append(f"exported {manifest['exported_at']}")
    return " · ".join(escape(p) for p in parts if p)


def render_index(manifest: Mapping[str, Any]) -> str:
    """The page for a manifest (as written by ``export_run``)."""
    tasks: list[Mapping[str, Any]] = manifest["tasks"]
    fields: list[str] = list(manifest["fields"])
    if len(fields) == 2:
        main = _table(fields, tasks)
    else:
        main = '<div class="cards">' + "".join(_card(t, t["labels"]) for t in tasks) + "</div>"
    sweep = manifest.get("sweep")
    base = sweep.get("base") if isinstance(sweep, Mapping) else None
    if base is None and len(tasks) == 1:
        base = tasks[0]["request"]
    details = (
        "<details><summary>Base request</summary><pre>"
        + escape(json.dumps(base, indent=2, ensure_ascii=False))
        + "</pre></details>"
        if base
        else ""
    )
    title = escape(str(manifest["title"]))
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="vace-studio {escape(str(manifest["vace_studio_version"]))}">
<title>{title}</title>
<style>{_CSS}</style>
</head>
<body>
<header>
<h1>{title}</h1>
<p class="summary">{_summary(manifest)}</p>
<div class="controls">
<button id="play" type="button">Play all from the start</button>
<button id="pause" type="button">Pause all</button>
<label><input id="loop" type="checkbox" checked> Loop</label>
</div>
</header>
<main>{main}</main>
{details}
<script>{_JS}</script>
</body>
</html>
"""
