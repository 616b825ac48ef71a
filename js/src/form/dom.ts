// A tiny element builder: the form is plain DOM (no framework) so the bundle stays small and the
// same code runs in JupyterLab, Notebook 7, VS Code and happy-dom tests.

type Attr = string | number | boolean | null | undefined;
type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, Attr> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child);
  }
  return el;
}

/** Joins the non-empty ids for aria-describedby / aria-labelledby. */
export const ids = (...parts: (string | null | undefined | false)[]): string =>
  parts.filter((p): p is string => Boolean(p)).join(" ");

/** Text for screen readers only (the visible UI shows a shorter form). */
export const srOnly = (text: string): HTMLSpanElement => h("span", { class: "vs-sr-only" }, text);

/**
 * A prefix for element ids that no other widget view on the page uses. anywidget evaluates the
 * bundle once per model, so a module-level counter restarts at 1 in every Studio: two views then
 * shared ids, and a `<label for>` in one clicked the input of the other ("Choose file…" uploaded
 * into the other widget). A random prefix per view (per form, when rendered alone) cannot clash.
 */
export function uniquePrefix(tag = "vs"): string {
  const c = globalThis.crypto;
  const random =
    c && typeof c.getRandomValues === "function"
      ? Array.from(c.getRandomValues(new Uint32Array(2)), (n) => n.toString(36)).join("")
      : `${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
  return `${tag}-${random}`;
}
