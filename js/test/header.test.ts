import { afterEach, describe, expect, it } from "vitest";
import { createChannel } from "../src/messages";
import type { ProviderFacts } from "../src/traits";
import { createHeader, type HeaderHandle } from "../src/ui/header";
import { FakeModel, flush } from "./helpers";

const FACTS: ProviderFacts = {
  provider: "simulator",
  region: "intl",
  endpoint: "http://127.0.0.1:1",
  simulated: true,
  notice: "No API key found, so the simulator runs tasks here.",
  has_key: false,
  price_per_second: 0.1,
  key_targets: [
    {
      value: "dashscope:intl",
      label: "DashScope intl",
      provider: "dashscope",
      region: "intl",
      env: "A",
      provider_label: "DashScope",
      region_label: "intl (Singapore)",
    },
    {
      value: "dashscope:cn",
      label: "DashScope cn",
      provider: "dashscope",
      region: "cn",
      env: "A",
      provider_label: "DashScope",
      region_label: "cn (Beijing)",
    },
    {
      value: "modellix",
      label: "Modellix",
      provider: "modellix",
      region: "",
      env: "B",
      provider_label: "Modellix",
      region_label: "",
    },
  ],
};

let header: HeaderHandle | undefined;
afterEach(() => {
  header?.destroy();
  document.body.replaceChildren();
});

function mount(facts: ProviderFacts = FACTS) {
  const model = new FakeModel({});
  header = createHeader(facts, createChannel(model, { idPrefix: "h" }));
  document.body.append(header.el);
  const q = <T extends Element>(s: string) => header?.el.querySelector<T>(s) as T;
  return { model, q };
}

describe("the header", () => {
  it("says when videos and uploads travel as text, and nothing for binary buffers", () => {
    const { q } = mount();
    header?.setTransport({ mode: "binary", probeMs: 3, reason: "" });
    expect(header?.el.dataset.transport).toBe("binary");
    expect(q(".vs-transport-note").textContent).toBe("");
    header?.setTransport({ mode: "text", probeMs: 4, reason: "dropped (either way)" });
    expect(header?.el.dataset.transport).toBe("text");
    expect(q(".vs-transport-note").textContent).toContain("travel as text");
    expect(q<HTMLElement>(".vs-transport-note").title).toBe("dropped (either way)");
  });

  it("says which provider, that no key is needed, and shows the simulator banner", () => {
    const { q } = mount();
    expect(q(".vs-provider").textContent).toBe(
      "Built-in simulator · no key needed · $0.10 per second of video (simulated)",
    );
    expect(q(".vs-banner").textContent).toBe(
      "Simulator in use. No API key found, so the simulator runs tasks here. To use a real provider, open “API key” below.",
    );
  });

  it("offers no key form in a class's kernel, where the worker holds the key", () => {
    const notice = "Tasks go to the class queue; a worker with the account's key submits them.";
    const { q } = mount({ ...FACTS, notice, key_targets: [] });
    expect(q<HTMLElement>("details.vs-key").hidden).toBe(true);
    expect(q(".vs-banner").textContent).toBe(`Simulator in use. ${notice}`);
    header?.update(FACTS); // a key target again: the form comes back
    expect(q<HTMLElement>("details.vs-key").hidden).toBe(false);
  });

  it("sends the key once, with the chosen provider, and keeps no copy", async () => {
    const { model, q } = mount();
    const input = q<HTMLInputElement>("input[type=password]");
    expect(input.autocomplete).toBe("off");
    expect(document.querySelector(`label[for="${input.id}"]`)?.textContent).toBe("API key");
    q<HTMLSelectElement>("select").value = "modellix";
    input.value = "sk-secret";
    q<HTMLFormElement>("form").requestSubmit();
    expect(input.value).toBe(""); // cleared before the kernel even answers
    const sent = model.lastSent().content;
    expect(sent).toMatchObject({ kind: "set_key", key: "sk-secret", provider: "modellix" });
    expect(model.sent.length).toBe(1);
    model.reply({ id: sent.id, ok: true, has_key: true, provider: "modellix" });
    await flush();
    expect(q(".vs-key-status").textContent).toBe("Key set for Modellix (kernel memory only).");
    expect(header?.el.innerHTML).not.toContain("sk-secret");
  });

  it("refuses an empty key without a round trip, and shows the kernel's refusal", async () => {
    const { model, q } = mount();
    q<HTMLFormElement>("form").requestSubmit();
    expect(model.sent).toEqual([]);
    expect(q(".vs-key-status").textContent).toBe("Paste a key first.");
    q<HTMLInputElement>("input[type=password]").value = "k";
    q<HTMLFormElement>("form").requestSubmit();
    model.reply({ id: model.lastSent().content.id, ok: false, error: "key: rejected" });
    await flush();
    expect(q(".vs-key-status").textContent).toBe("key: rejected");
  });

  it("preselects the provider in use and hides the banner for a real one", () => {
    const { q } = mount({
      ...FACTS,
      provider: "dashscope",
      region: "cn",
      simulated: false,
      has_key: true,
    });
    expect(q<HTMLSelectElement>("select").value).toBe("dashscope:cn");
    expect(q<HTMLElement>(".vs-banner").hidden).toBe(true);
    expect(q(".vs-provider").textContent).toBe(
      "DashScope · region cn (Beijing) · key set · $0.10 per second of video",
    );
  });

  it("names any provider the kernel registered, from its key target alone", async () => {
    const acme = {
      value: "acme",
      label: "Acme Video",
      provider: "acme",
      region: "",
      env: "ACME_API_KEY",
      provider_label: "Acme Video",
      region_label: "",
    };
    const { model, q } = mount({
      ...FACTS,
      provider: "acme",
      region: "intl",
      simulated: false,
      has_key: true,
      price_per_second: null,
      key_targets: [...FACTS.key_targets, acme],
    });
    expect(q(".vs-provider").textContent).toBe("Acme Video · key set");
    const select = q<HTMLSelectElement>("select");
    expect(select.value).toBe("acme");
    expect([...select.options].map((o) => o.textContent)).toContain("Acme Video");
    q<HTMLInputElement>("input[type=password]").value = "k";
    q<HTMLFormElement>("form").requestSubmit();
    model.reply({ id: model.lastSent().content.id, ok: true, has_key: true, provider: "acme" });
    await flush();
    expect(q(".vs-key-status").textContent).toBe("Key set for Acme Video (kernel memory only).");
  });
});
