// Mounting a generated form in the test document, shared by the form test files.

import { afterEach } from "vitest";
import { type FormHandle, renderForm } from "../src/form/render";
import { SCHEMA } from "./helpers";

/** Returns ``mount``; every form it mounted is destroyed after each test. */
export function formHarness() {
  let form: FormHandle | undefined;
  afterEach(() => {
    form?.destroy();
    form = undefined;
    document.body.replaceChildren();
  });
  return (fn: string, options: Parameters<typeof renderForm>[2] = {}, schema = SCHEMA) => {
    form = renderForm(schema, fn, options);
    document.body.append(form.el);
    return form;
  };
}

export const fieldEl = (f: FormHandle, name: string) => {
  const el = f.el.querySelector(`.vs-field[data-field="${name}"]`);
  if (!el) throw new Error(`no field ${name}`);
  return el;
};

export const errorOf = (f: FormHandle, name: string) =>
  fieldEl(f, name).querySelector(".vs-error")?.textContent;
