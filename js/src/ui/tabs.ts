// WAI-ARIA tabs: roving tabindex, arrow keys/Home/End move between tabs, panels stay in the DOM so
// each function's form keeps what the user typed while they look at another one.

import { h } from "../form/dom";

export interface Tab {
  key: string;
  label: string;
  panel: HTMLElement;
}

export interface TabsHandle {
  el: HTMLElement;
  select(key: string, focus?: boolean): void;
  selected(): string;
}

export function createTabs(
  prefix: string,
  tabs: Tab[],
  onSelect?: (key: string) => void,
): TabsHandle {
  const list = h("div", { class: "vs-tablist", role: "tablist" });
  const el = h("div", { class: "vs-tabs" }, list);
  let current = tabs[0]?.key ?? "";

  const buttons = tabs.map((tab) => {
    const tabId = `${prefix}-tab-${tab.key}`;
    const panelId = `${prefix}-panel-${tab.key}`;
    const button = h(
      "button",
      {
        type: "button",
        role: "tab",
        id: tabId,
        class: "vs-tab",
        "aria-controls": panelId,
        "data-key": tab.key,
      },
      tab.label,
    );
    tab.panel.id = panelId;
    tab.panel.setAttribute("role", "tabpanel");
    tab.panel.setAttribute("aria-labelledby", tabId);
    tab.panel.classList.add("vs-panel");
    button.addEventListener("click", () => select(tab.key));
    list.append(button);
    el.append(tab.panel);
    return button;
  });

  function select(key: string, focus = false) {
    current = key;
    tabs.forEach((tab, i) => {
      const on = tab.key === key;
      const button = buttons[i];
      if (!button) return;
      button.setAttribute("aria-selected", String(on));
      button.tabIndex = on ? 0 : -1;
      tab.panel.hidden = !on;
      if (on && focus) button.focus();
    });
    onSelect?.(key);
  }

  list.addEventListener("keydown", (event) => {
    const at = tabs.findIndex((t) => t.key === current);
    const last = tabs.length - 1;
    const moves: Record<string, number> = {
      ArrowRight: at === last ? 0 : at + 1,
      ArrowLeft: at === 0 ? last : at - 1,
      Home: 0,
      End: last,
    };
    const to = moves[event.key];
    const tab = to === undefined ? undefined : tabs[to];
    if (!tab) return;
    event.preventDefault();
    select(tab.key, true);
  });

  if (current) select(current);
  return { el, select, selected: () => current };
}
