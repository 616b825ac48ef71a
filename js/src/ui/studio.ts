// The studio view: one tab per function (forms generated from the schema), a submit button per
// form, and the area where task cards will live. Talks to the kernel only through the Channel.

import { h } from "../form/dom";
import { type FormHandle, type RequestValue, renderForm } from "../form/render";
import { listFunctions } from "../form/schema";
import { type Channel, RequestError } from "../messages";
import { uploadFile } from "../upload";
import { createTabs } from "./tabs";

export interface StudioState {
  /** Selected function. */
  selected?: string;
  /** What the user set in each form, by function. */
  values?: Record<string, RequestValue>;
}

export interface StudioHandle {
  /** UI-only state, carried over when the schema trait changes (never synced to Python). */
  snapshot(): StudioState;
  destroy(): void;
}

const SUBMIT_TIMEOUT_MS = 60_000;
const VALIDATE_TIMEOUT_MS = 10_000;
const VALIDATE_DEBOUNCE_MS = 400;

let studioCounter = 0;

export function renderStudio(
  root: HTMLElement,
  schema: unknown,
  channel: Channel,
  previous: StudioState = {},
): StudioHandle {
  const prefix = `vs${++studioCounter}`;
  const functions = listFunctions(schema);
  const forms = new Map<string, FormHandle>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const tasks = h("ol", { class: "vs-task-list" });
  const empty = h("p", { class: "vs-empty" }, "No tasks yet. Fill in a form and submit it.");
  const taskArea = h(
    "section",
    { class: "vs-tasks", "aria-label": "Tasks", "data-slot": "tasks" },
    h("h3", { class: "vs-tasks-title" }, "Tasks"),
    empty,
    tasks,
  );

  const tabs = functions.map((fn) => {
    const status = h("span", { class: "vs-status", role: "status" });
    const submit = h(
      "button",
      { type: "button", class: "vs-button vs-primary vs-submit" },
      "Submit",
    );
    let validateSeq = 0;
    let debounce: ReturnType<typeof setTimeout> | undefined;

    // Ask the kernel for its verdict (cross-field rules live only in Python) once the client-side
    // checks pass. Failures are ignored: the submit will report them anyway.
    const askKernel = (value: RequestValue) => {
      const seq = ++validateSeq;
      channel
        .request("validate", { request: value }, { timeoutMs: VALIDATE_TIMEOUT_MS })
        .then(() => seq === validateSeq && form.setErrors({}))
        .catch((error: unknown) => {
          if (seq !== validateSeq || !(error instanceof RequestError)) return;
          if (Object.keys(error.errors).length > 0) form.setErrors(error.errors);
        });
    };

    const form = renderForm(schema, fn.name, {
      idPrefix: `${prefix}-${fn.name}`,
      value: previous.values?.[fn.name],
      onFile: (field, index, file) => uploadFile(channel, field, index, file),
      onChange(value, valid) {
        status.textContent = "";
        if (debounce !== undefined) {
          clearTimeout(debounce);
          timers.delete(debounce);
        }
        validateSeq++; // an answer about an older value must not overwrite newer errors
        if (!valid) return;
        debounce = setTimeout(() => askKernel(value), VALIDATE_DEBOUNCE_MS);
        timers.add(debounce);
      },
    });
    forms.set(fn.name, form);

    submit.addEventListener("click", async () => {
      // A validate still queued or in flight would only repeat what the submit answer says.
      if (debounce !== undefined) clearTimeout(debounce);
      validateSeq++;
      const errors = form.validate();
      const invalid = Object.keys(errors);
      if (invalid.length > 0) {
        status.textContent = `Please fix ${invalid.length === 1 ? "1 field" : `${invalid.length} fields`} first.`;
        form.focus(invalid[0] ?? "");
        return;
      }
      submit.disabled = true;
      status.textContent = "Submitting…";
      try {
        const { msg } = await channel.request(
          "submit",
          { request: form.getValue() },
          { timeoutMs: SUBMIT_TIMEOUT_MS },
        );
        const taskId = typeof msg.task_id === "string" ? msg.task_id : "";
        status.textContent = taskId ? `Submitted: task ${taskId}.` : "Submitted.";
        addTask(fn.title, taskId);
      } catch (error) {
        status.textContent = submitFailure(error);
        if (error instanceof RequestError && Object.keys(error.errors).length > 0) {
          form.setErrors(error.errors);
          form.focus(Object.keys(error.errors)[0] ?? "");
        }
      } finally {
        submit.disabled = false;
      }
    });

    const actions = h("div", { class: "vs-actions" }, submit, status);
    return { key: fn.name, label: fn.title, panel: h("div", {}, form.el, actions) };
  });

  // Placeholder until the task-card module lands: one line per submitted task.
  function addTask(title: string, taskId: string) {
    empty.hidden = true;
    tasks.append(
      h(
        "li",
        { class: "vs-task-card", "data-task-id": taskId },
        `${title} — ${taskId || "submitted"}`,
      ),
    );
  }

  const tabView = createTabs(prefix, tabs);
  if (previous.selected && forms.has(previous.selected)) tabView.select(previous.selected);
  root.replaceChildren(tabView.el, taskArea);

  return {
    snapshot() {
      const values: Record<string, RequestValue> = {};
      for (const [name, form] of forms) values[name] = form.getValue();
      return { selected: tabView.selected(), values };
    },
    destroy() {
      for (const timer of timers) clearTimeout(timer);
      for (const form of forms.values()) form.destroy();
      root.replaceChildren();
    },
  };
}

function submitFailure(error: unknown): string {
  if (error instanceof RequestError) {
    // A submit that timed out may still have created a (paid) task: say so instead of inviting a retry.
    if (error.reason === "timeout") {
      return "No answer from the kernel yet. The task may still have been created: check the task list before submitting again.";
    }
    return error.code ? `${error.message} (${error.code})` : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
