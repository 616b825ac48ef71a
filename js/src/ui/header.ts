// The header: which provider and region, whether a key is set, the price, a banner while the
// simulator is in use, and a password field whose key goes to the kernel once (`set_key`) and is
// then cleared here: the browser keeps no copy, and no trait ever holds it.

import type { TransportInfo } from "../comm-transport";
import { h, uniquePrefix } from "../form/dom";
import { type Channel, RequestError } from "../messages";
import type { KeyTarget, ProviderFacts } from "../traits";
import { money } from "./format";

export interface HeaderHandle {
  el: HTMLElement;
  update(facts: ProviderFacts): void;
  /** Says how bytes travel once the probe has settled (a note only when they go as text). */
  setTransport(info: TransportInfo): void;
  destroy(): void;
}

// The simulator is the widget's own stand-in, not a provider: the only name the header knows.
// Every provider's name and region come with the `key_targets` trait.
const SIMULATOR = "simulator";
const SIMULATOR_NAME = "Built-in simulator";

function providerLabel(targets: KeyTarget[], provider: string): string {
  if (provider === SIMULATOR) return SIMULATOR_NAME;
  return targets.find((t) => t.provider === provider)?.provider_label ?? provider;
}

/** The target of the provider (and region, where it has several) in use, if any. */
function targetInUse(targets: KeyTarget[], facts: ProviderFacts): KeyTarget | undefined {
  return targets.find(
    (t) => t.provider === facts.provider && (t.region === "" || t.region === facts.region),
  );
}

export function createHeader(facts: ProviderFacts, channel: Channel): HeaderHandle {
  const id = uniquePrefix("vs-key"); // unique on the page, whatever other views exist
  let targets = facts.key_targets;
  const name = h("strong", { class: "vs-provider-name" });
  const region = h("span", { class: "vs-region" });
  const key = h("span", { class: "vs-key-state" });
  const price = h("span", { class: "vs-price" });
  const transport = h("span", { class: "vs-transport-note" });
  const summary = h("p", { class: "vs-provider" }, name, region, key, price, transport);
  const banner = h("div", { class: "vs-banner", role: "note" });

  const select = h("select", { id: `${id}-provider`, class: "vs-select vs-key-provider" });
  const input = h("input", {
    id: `${id}-input`,
    type: "password",
    class: "vs-text vs-key-input",
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "sk-…",
  });
  const use = h("button", { type: "submit", class: "vs-button vs-primary vs-key-use" }, "Use key");
  const status = h("span", { class: "vs-status vs-key-status", role: "status" });
  const form = h(
    "form",
    { class: "vs-key-form", "aria-label": "API key" },
    h("label", { for: select.id, class: "vs-label" }, "Provider"),
    select,
    h("label", { for: input.id, class: "vs-label" }, "API key"),
    input,
    use,
    status,
  );
  const details = h(
    "details",
    { class: "vs-key" },
    h("summary", {}, "API key"),
    h(
      "p",
      { class: "vs-help" },
      "The key goes to the kernel once and stays in its memory only: it is not saved in the " +
        "notebook, the widget state or the task store.",
    ),
    form,
  );
  const el = h("header", { class: "vs-header" }, summary, banner, details);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = input.value;
    input.value = ""; // cleared before anything else: the page keeps no copy of the key
    if (!value.trim()) {
      status.textContent = "Paste a key first.";
      input.focus();
      return;
    }
    use.disabled = true;
    status.textContent = "Sending the key to the kernel…";
    try {
      const { msg } = await channel.request("set_key", { key: value, provider: select.value });
      const where = providerLabel(targets, String(msg.provider));
      status.textContent = `Key set for ${where} (kernel memory only).`;
    } catch (error) {
      status.textContent = error instanceof RequestError ? error.message : String(error);
    } finally {
      use.disabled = false;
    }
  });

  const update = (next: ProviderFacts) => {
    targets = next.key_targets;
    const current = targetInUse(targets, next);
    name.textContent = providerLabel(targets, next.provider);
    region.textContent = current?.region_label ? ` · region ${current.region_label}` : "";
    key.textContent = next.simulated
      ? next.has_key
        ? " · key set (the simulator ignores it)"
        : " · no key needed"
      : next.has_key
        ? " · key set"
        : " · no key";
    const rate = next.price_per_second;
    price.textContent =
      rate === null
        ? ""
        : ` · ${money(rate)} per second of video${next.simulated ? " (simulated)" : ""}`;
    // No key targets: a class's kernel, where the worker holds the key and none is taken here.
    const keysHere = next.key_targets.length > 0;
    details.hidden = !keysHere;
    banner.hidden = !next.simulated;
    banner.replaceChildren(
      ...(next.simulated
        ? [
            h("strong", {}, "Simulator in use. "),
            next.notice || "Tasks run on this machine and nothing is paid.",
            keysHere ? " To use a real provider, open “API key” below." : "",
          ]
        : []),
    );
    el.dataset.provider = next.provider;
    el.toggleAttribute("data-simulated", next.simulated);
    const chosen = select.value;
    select.replaceChildren(
      ...next.key_targets.map((t) =>
        h("option", { value: t.value, title: `like ${t.env}` }, t.label),
      ),
    );
    // Keep the user's pick; else preselect the provider in use.
    select.value = chosen || current?.value || next.key_targets[0]?.value || "";
  };

  update(facts);
  return {
    el,
    update,
    setTransport(info) {
      el.dataset.transport = info.mode;
      el.dataset.probeMs = info.probeMs.toFixed(1); // for the browser tests' figures
      transport.textContent =
        info.mode === "text" ? " · videos and uploads travel as text (slower)" : "";
      transport.title = info.reason;
    },
    destroy() {
      input.value = "";
      el.remove();
    },
  };
}
