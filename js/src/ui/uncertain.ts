// The part of a task card for a submit whose answer was lost: nobody can yet tell whether the
// provider created (and charges for) a task. It shows the advice (what happened is the card's error
// line), a link to the provider's console, the candidate task ids the kernel found, and the two
// choices: adopt a task id pasted from the console, or submit again. Each choice appears only when
// the status table says the task's status allows it (`adoptable`, `resubmittable`).

import { h } from "../form/dom";
import type { StatusSets } from "../status";
import type { TaskCard } from "../traits";

export interface UncertainActions {
  /** Resolves to the text shown on the card; a refusal rejects with the kernel's words. */
  adopt(card: TaskCard, taskId: string): Promise<string>;
  resubmit(card: TaskCard): Promise<string>;
}

export interface UncertainView {
  el: HTMLElement;
  update(card: TaskCard): void;
}

let inputCounter = 0;

export function createUncertain(
  initial: TaskCard,
  statuses: StatusSets,
  actions: UncertainActions,
): UncertainView {
  let card = initial;
  const inputId = `vs-adopt-${Math.random().toString(36).slice(2, 8)}-${++inputCounter}`;
  const advice = h("p", { class: "vs-card-advice" });
  const consoleLine = h("p", { class: "vs-console-line" });
  const candidateList = h("ul", { class: "vs-candidates" });
  const candidates = h(
    "div",
    { class: "vs-candidates-box" },
    h("p", {}, "Tasks created around that time that no other card claims:"),
    candidateList,
  );
  const input = h("input", {
    type: "text",
    id: inputId,
    class: "vs-adopt-input",
    placeholder: "the provider's task id",
    autocomplete: "off",
    spellcheck: false,
  });
  const adopt = h("button", { type: "button", class: "vs-button vs-adopt" }, "Adopt task id");
  const adoptRow = h(
    "div",
    { class: "vs-adopt-row" },
    h("label", { for: inputId, class: "vs-label" }, "Task id from the console"),
    input,
    adopt,
  );
  const resubmit = h("button", { type: "button", class: "vs-button vs-resubmit" }, "Submit again");
  const resubmitRow = h(
    "div",
    { class: "vs-adopt-row" },
    resubmit,
    h(
      "span",
      { class: "vs-help" },
      "Creates a new task; if the lost submit did create one, both are charged.",
    ),
  );
  const answer = h("p", { class: "vs-uncertain-answer", "aria-live": "polite" });
  const el = h(
    "section",
    { class: "vs-card-uncertain", "aria-label": "The submit's outcome is unknown" },
    advice,
    consoleLine,
    candidates,
    adoptRow,
    resubmitRow,
    answer,
  );

  const run = async (button: HTMLButtonElement, work: () => Promise<string>) => {
    adopt.disabled = true;
    resubmit.disabled = true;
    answer.textContent = "Working…";
    try {
      answer.textContent = await work();
    } catch (reason) {
      answer.textContent = reason instanceof Error ? reason.message : String(reason);
    } finally {
      adopt.disabled = false;
      resubmit.disabled = false;
      button.focus();
    }
  };
  const adoptNow = () => {
    const id = input.value.trim();
    if (!id) {
      answer.textContent = "Paste the task id from the provider's console first.";
      input.focus();
      return;
    }
    void run(adopt, () => actions.adopt(card, id));
  };
  adopt.addEventListener("click", adoptNow);
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      adoptNow();
    }
  });
  resubmit.addEventListener("click", () => run(resubmit, () => actions.resubmit(card)));

  const update = (next: TaskCard) => {
    card = next;
    const canAdopt = statuses.is("adoptable", card.status);
    const canResubmit = statuses.is("resubmittable", card.status);
    el.hidden = !canAdopt && !canResubmit;
    advice.textContent = card.advice ?? "";
    advice.hidden = !card.advice;
    // The link exists only with an address: an empty link would still be announced.
    consoleLine.replaceChildren(
      ...(card.console_url
        ? [
            "Provider console: ",
            h(
              "a",
              {
                class: "vs-console-link",
                href: card.console_url,
                target: "_blank",
                rel: "noopener",
              },
              card.console_url,
            ),
          ]
        : []),
    );
    consoleLine.hidden = !card.console_url;
    const ids = card.candidates ?? [];
    candidateList.replaceChildren(
      ...ids.map((id) => {
        const use = h(
          "button",
          { type: "button", class: "vs-link-button vs-use-candidate" },
          "Use",
        );
        use.setAttribute("aria-label", `Put ${id} in the task id field`);
        use.addEventListener("click", () => {
          input.value = id;
          input.focus();
        });
        return h("li", {}, h("code", {}, id), " ", use);
      }),
    );
    candidates.hidden = ids.length === 0;
    adoptRow.hidden = !canAdopt;
    resubmitRow.hidden = !canResubmit;
  };
  update(initial);
  return { el, update };
}
