// A media reference: a URL (or kernel-side path) typed in, or a local file picked or dropped. Files
// go to the kernel through ctx.upload (binary buffers, never a trait); the kernel answers with the
// reference to store, and the browser keeps an object-URL preview so the user sees what they chose.

import { h, srOnly } from "../dom";
import type { Control, ControlContext } from "./types";

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

// The picked file's own name for each reference the kernel answered to an upload: the saved copy
// is named by its content hash, which means nothing to the person who chose "kite.png". Shared by
// the controls of one bundle (one widget model), so "Edit as new" shows the name too.
const uploadedNames = new Map<string, string>();
const shownFor = (value: string): string => uploadedNames.get(value) ?? value;

/** Names a file the kernel made for a field (the editing tools' frames, clips and masks, which
 * are stored by content hash too), so its box shows that name. */
export function nameReference(ref: string, name: string): void {
  uploadedNames.set(ref, name);
}

export function createMedia(ctx: ControlContext): Control {
  if (ctx.node.kind !== "string") throw new Error("createMedia needs a string node");
  const kind = ctx.node.media ?? "image";
  const input = h("input", {
    type: "text",
    id: ctx.id,
    class: "vs-text vs-media-url",
    inputmode: "url",
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "https://…, oss://… or a path on the kernel's machine",
    "aria-describedby": ctx.describedBy,
    "aria-required": ctx.required ? "true" : undefined,
  });
  const status = h("span", { class: "vs-media-status", "aria-live": "polite" });
  const preview = h("div", { class: "vs-preview" });
  const row = h("div", { class: "vs-media-row" }, input);
  const root = h("div", { class: "vs-media", "data-media": kind }, row);

  let objectUrl: string | null = null;
  let fileRef: string | null = null; // the reference the last uploaded file produced
  const clearPreview = () => {
    if (objectUrl) URL.revokeObjectURL(objectUrl);
    objectUrl = null;
    fileRef = null;
    preview.replaceChildren();
    status.textContent = "";
  };

  // A path on the kernel's machine: the kernel sends a small picture (debounced while typing).
  let thumbUrl: string | null = null;
  let thumbTimer: ReturnType<typeof setTimeout> | undefined;
  let thumbSeq = 0;
  const dropThumb = () => {
    if (thumbTimer !== undefined) clearTimeout(thumbTimer);
    thumbSeq++;
    if (thumbUrl) URL.revokeObjectURL(thumbUrl);
    thumbUrl = null;
  };
  const kernelPreview = (value: string) => {
    const ask = ctx.thumbnail;
    if (!ask || value === "" || /^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return;
    const seq = thumbSeq;
    thumbTimer = setTimeout(async () => {
      const url = await ask(value).catch(() => null);
      if (seq !== thumbSeq || fileRef !== null) {
        if (url) URL.revokeObjectURL(url);
        return;
      }
      thumbUrl = url;
      if (url) {
        preview.replaceChildren(
          h("img", { src: url, alt: `Preview of ${value}`, class: "vs-thumb vs-kernel-thumb" }),
        );
      }
    }, 400);
  };

  // A typed web address of an image gets a thumbnail too; a broken one simply shows none.
  const urlPreview = (value: string) => {
    if (fileRef !== null) return;
    dropThumb();
    preview.replaceChildren();
    kernelPreview(value);
    if (kind !== "image") return;
    if (!/^https?:\/\/\S+$/i.test(value)) return;
    const img = h("img", {
      src: value,
      alt: `Preview of ${value}`,
      class: "vs-thumb",
      loading: "lazy",
      referrerpolicy: "no-referrer",
    });
    img.addEventListener("error", () => img.remove());
    preview.append(img);
  };

  input.addEventListener("input", () => {
    // Typing over a file's name replaces the file with what is typed.
    if (fileRef !== null && input.value !== shownFor(fileRef)) clearPreview();
    urlPreview(input.value);
    ctx.onInput(input.value === "" ? undefined : input.value);
  });

  const control: Control = {
    el: root,
    labelTarget: true,
    set(value: unknown) {
      const text = typeof value === "string" ? value : "";
      input.value = shownFor(text);
      if (fileRef !== null && text !== fileRef) clearPreview();
      urlPreview(text);
    },
    destroy() {
      clearPreview();
      dropThumb();
    },
  };

  const upload = ctx.upload;
  if (!upload) return control; // no kernel channel: URLs only

  const accept = `${kind}/*`;
  const fileId = `${ctx.id}-file`;
  const picker = h("input", { type: "file", id: fileId, class: "vs-sr-only", accept });
  // The visually hidden input stays focusable (Tab, then Enter/Space opens the picker); its visible
  // label is the button-looking element.
  const pick = h(
    "label",
    { for: fileId, class: "vs-button vs-pick" },
    "Choose file…",
    srOnly(` (${kind} for ${ctx.label})`),
  );
  row.append(picker, pick);
  root.append(
    h(
      "div",
      { class: "vs-drop-hint" },
      `or drop ${kind === "image" ? "an image" : "a video"} here`,
    ),
    status,
    preview,
  );

  const take = async (file: File) => {
    dropThumb();
    clearPreview();
    objectUrl = URL.createObjectURL(file);
    preview.append(
      kind === "image"
        ? h("img", { src: objectUrl, alt: `Preview of ${file.name}`, class: "vs-thumb" })
        : h("video", {
            src: objectUrl,
            "aria-label": `Preview of ${file.name}`,
            class: "vs-thumb",
            muted: true,
            preload: "metadata",
            controls: true,
          }),
    );
    status.textContent = `Uploading ${file.name}…`;
    input.disabled = true;
    root.classList.add("vs-busy");
    try {
      const ref = await upload(file);
      if (ref === undefined) {
        clearPreview();
        return;
      }
      fileRef = ref;
      uploadedNames.set(ref, file.name);
      input.value = file.name;
      status.textContent = `${file.name} (${formatSize(file.size)})`;
      ctx.onInput(ref);
    } finally {
      input.disabled = false;
      root.classList.remove("vs-busy");
    }
  };

  // Chromium opens a focused file input on Space only; Enter is what people try first.
  picker.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    picker.click();
  });
  picker.addEventListener("change", () => {
    const file = picker.files?.[0];
    picker.value = ""; // so picking the same file again still fires "change"
    if (file) void take(file);
  });
  control.take = (file) => void take(file);
  root.addEventListener("dragover", (event) => {
    event.preventDefault(); // required for "drop" to fire
    event.stopPropagation();
    root.classList.add("vs-dragover");
  });
  root.addEventListener("dragleave", () => root.classList.remove("vs-dragover"));
  root.addEventListener("drop", (event) => {
    event.preventDefault(); // otherwise the browser navigates to the dropped file
    event.stopPropagation(); // this slot takes it; a surrounding list must not add a row too
    root.classList.remove("vs-dragover");
    const file = event.dataTransfer?.files?.[0];
    if (file) void take(file);
  });
  return control;
}
