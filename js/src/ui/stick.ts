// Keeps the playground's side column (preview and Submit) in view while the form beside it scrolls.
//
// CSS `position: sticky` cannot do it in JupyterLab: the output area around every widget has
// `overflow: auto` (.jp-OutputArea-output), so sticky sticks to a box that never scrolls. Instead the
// column is moved down (a transform, no re-layout) by how far the playground's top has gone above the
// visible area: the intersection of every clipping ancestor and the window, whichever scrolls
// (JupyterLab's notebook panel, Notebook 7's page, VS Code's webview). Only while the column sits
// beside the form; stacked, it stays where it is.

/** Pixels kept between the top of the visible area and the column. */
const MARGIN = 8;

/**
 * How far to move the column down: enough to keep its top `margin` below the visible top, never
 * above where it sits, never past the bottom of its playground.
 */
export function stickOffset(
  visibleTop: number,
  boxTop: number,
  boxHeight: number,
  sideHeight: number,
  margin = MARGIN,
): number {
  const wanted = visibleTop + margin - boxTop;
  return Math.max(0, Math.min(wanted, boxHeight - sideHeight));
}

/** The top of the area where `el` can be seen: below every ancestor that clips, and the window. */
export function visibleTop(el: Element): number {
  let top = 0;
  for (let node = el.parentElement; node; node = node.parentElement) {
    const style = getComputedStyle(node);
    if (style.overflowY !== "visible" || style.overflowX !== "visible") {
      top = Math.max(top, node.getBoundingClientRect().top);
    }
  }
  return top;
}

export interface Stick {
  /** Places every visible playground's column again (after a tab change, say). */
  update(): void;
  destroy(): void;
}

/** Keeps the `.vs-side` of each `.vs-playground` inside `root` in view. */
export function stickSides(root: HTMLElement): Stick {
  let frame = 0;
  const place = () => {
    frame = 0;
    for (const box of root.querySelectorAll<HTMLElement>(".vs-playground")) {
      const side = box.querySelector<HTMLElement>(":scope > .vs-side");
      const main = box.querySelector<HTMLElement>(":scope > .vs-form-main");
      if (!side || !main || box.offsetParent === null) continue;
      // Beside the form (wide) or under it (narrow): only beside does it need to follow.
      const beside = side.offsetTop < main.offsetTop + main.offsetHeight - 1;
      const rect = box.getBoundingClientRect();
      const offset = beside
        ? stickOffset(visibleTop(box), rect.top, rect.height, side.offsetHeight)
        : 0;
      side.style.transform = offset > 0 ? `translateY(${Math.round(offset)}px)` : "";
    }
  };
  const schedule = () => {
    if (frame === 0) frame = requestAnimationFrame(place);
  };
  // Scroll events do not bubble; in the capture phase the document sees every element's.
  const options = { capture: true, passive: true } as const;
  document.addEventListener("scroll", schedule, options);
  window.addEventListener("resize", schedule, options);
  const resized = typeof ResizeObserver === "function" ? new ResizeObserver(schedule) : null;
  resized?.observe(root);
  schedule();
  return {
    update: schedule,
    destroy() {
      if (frame !== 0) cancelAnimationFrame(frame);
      document.removeEventListener("scroll", schedule, options);
      window.removeEventListener("resize", schedule, options);
      resized?.disconnect();
    },
  };
}
