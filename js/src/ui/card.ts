// One task card: status chip, place in line (the local queue, or the class's), elapsed time and
// ETA, the provider's task id (copyable), the provider's error code and message verbatim, what the
// service trims or ignores, an uncertain submit's choices (uncertain.ts), actions, and the result
// video. Which status allows what comes from the status table (status.ts), never from status names.

import { h, srOnly } from "../form/dom";
import { type StatusSets, statusLabel, statusTone } from "../status";
import type { TaskCard } from "../traits";
import { clock, excerpt, money, ordinal, roughly } from "./format";
import { createUncertain, type UncertainActions } from "./uncertain";
import type { VideoLoader, VideoSource, VideoState } from "./videos";

export interface CardActions extends UncertainActions {
  cancel(card: TaskCard): Promise<string>;
  retry(card: TaskCard): Promise<string>;
  edit(card: TaskCard): void;
  /** Fetches the MP4 from the kernel as a Blob URL (for the download link). */
  download(card: TaskCard): Promise<string>;
  /** "Extend this result": its last seconds become the first clip of a video extension. */
  extend?(card: TaskCard): Promise<string>;
  /** The A/B view of this result against its source video (shown inside the card). */
  compare?(card: TaskCard, onClose: () => void): { el: HTMLElement; destroy(): void };
}

export interface CardContext {
  /** The function's title, from the schema. */
  title: string;
  loader: VideoLoader;
  actions: CardActions;
  /** The status table's sets (the `status_table` trait). */
  statuses: StatusSets;
  /** Kernel-clock seconds now. */
  now(): number;
}

export interface CardView {
  el: HTMLLIElement;
  update(card: TaskCard, position: number | null): void;
  /** Refreshes the elapsed time and ETA (called every second for unfinished tasks). */
  tick(): void;
  destroy(): void;
}

/** A class card's place in the account's queue: "3rd in the class queue · about 2 min". The ETA
 * is 0 while a slot is free for the task (a worker sends it at once). */
export function classPlace(position: number, eta: number | null): string {
  const place = `${ordinal(position)} in the class queue`;
  if (eta === null) return place;
  return `${place} · ${eta <= 0 ? "up next" : roughly(eta)}`;
}

/** The first characters of a local id, enough to tell two cards apart. */
const shortId = (id: string): string => id.slice(0, 8);

function videoSource(card: TaskCard): VideoSource {
  return {
    localId: card.local_id,
    hasVideo: card.has_video,
    url: card.video_url,
    expiresAt: card.url_expires_at,
  };
}

async function copyText(text: string, fallback: HTMLElement): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard permission (an iframe, plain http): select the id so Ctrl+C copies it.
    const range = document.createRange();
    range.selectNodeContents(fallback);
    const selection = window.getSelection();
    selection?.removeAllRanges();
    selection?.addRange(range);
    return false;
  }
}

export function createCard(initial: TaskCard, ctx: CardContext): CardView {
  let card = initial;
  let position: number | null = null;
  const chip = h("span", { class: "vs-status-chip" });
  const time = h("span", { class: "vs-card-time" });
  const prompt = h("span", { class: "vs-card-prompt" });
  const head = h(
    "div",
    { class: "vs-card-head" },
    chip,
    h("span", { class: "vs-card-title" }, ctx.title),
    prompt,
    time,
  );

  const idCode = h("code", { class: "vs-task-id" });
  const copy = h("button", { type: "button", class: "vs-link-button vs-copy" }, "Copy");
  const cost = h("span", { class: "vs-card-cost" });
  const idLine = h("div", { class: "vs-card-meta" }, "Task id ", idCode, " ", copy, cost);
  copy.addEventListener("click", async () => {
    if (!card.task_id) return;
    const copied = await copyText(card.task_id, idCode);
    copy.textContent = copied ? "Copied" : "Press Ctrl+C";
    setTimeout(() => {
      copy.textContent = "Copy";
    }, 1500);
  });

  const error = h("p", { class: "vs-card-error", role: "alert" });
  const lineage = h("p", { class: "vs-card-lineage" });
  // What to do about a refusal (e.g. a billing one: top up, enable the model, switch key).
  const advice = h("p", { class: "vs-card-advice-line" });
  const warnings = h("ul", { class: "vs-card-warnings", "aria-label": "Warnings" });
  // `note`: answers to this card's buttons; `trouble`: the engine's latest problem with the task.
  const note = h("p", { class: "vs-card-note", "aria-live": "polite" });
  const trouble = h("p", { class: "vs-card-note vs-card-trouble" });

  const cancel = h("button", { type: "button", class: "vs-button vs-cancel" }, "Cancel");
  const retry = h("button", { type: "button", class: "vs-button vs-retry" }, "Retry");
  const edit = h("button", { type: "button", class: "vs-button vs-edit" }, "Edit as new");
  const download = h("a", { class: "vs-button vs-download", href: "#" }, "Download MP4");
  const compare = h(
    "button",
    { type: "button", class: "vs-button vs-compare-source", "aria-expanded": "false" },
    "Compare with source",
  );
  const extend = h(
    "button",
    { type: "button", class: "vs-button vs-extend" },
    "Extend this result",
  );
  const actions = h(
    "div",
    { class: "vs-card-actions" },
    cancel,
    retry,
    edit,
    extend,
    download,
    compare,
  );

  const media = h("div", { class: "vs-card-media" });
  const { statuses } = ctx;
  const uncertain = createUncertain(initial, statuses, ctx.actions);
  const abHost = h("div", { class: "vs-card-ab" });
  const el = h(
    "li",
    { class: "vs-card" },
    head,
    idLine,
    lineage,
    error,
    advice,
    uncertain.el,
    warnings,
    trouble,
    note,
    media,
    abHost,
    actions,
  );
  let ab: { el: HTMLElement; destroy(): void } | null = null;
  const closeAb = () => {
    ab?.destroy();
    ab = null;
    compare.setAttribute("aria-expanded", "false");
    compare.textContent = "Compare with source";
  };
  compare.addEventListener("click", () => {
    if (ab) return closeAb();
    if (!ctx.actions.compare) return;
    ab = ctx.actions.compare(card, closeAb);
    abHost.replaceChildren(ab.el);
    compare.setAttribute("aria-expanded", "true");
    compare.textContent = "Close A/B";
  });

  const runAction = async (
    button: HTMLButtonElement,
    work: () => Promise<string>,
    pending = "",
  ) => {
    button.disabled = true;
    note.textContent = pending; // slow work says it has started, so a click never looks lost
    try {
      note.textContent = await work();
    } catch (reason) {
      note.textContent = reason instanceof Error ? reason.message : String(reason);
    } finally {
      button.disabled = false;
    }
  };
  cancel.addEventListener("click", () => runAction(cancel, () => ctx.actions.cancel(card)));
  retry.addEventListener("click", () => runAction(retry, () => ctx.actions.retry(card)));
  edit.addEventListener("click", () => ctx.actions.edit(card));
  extend.addEventListener("click", () => {
    const run = ctx.actions.extend;
    if (run) void runAction(extend, () => run(card), "Cutting the result's last seconds…");
  });

  let video: HTMLVideoElement | null = null;
  const videoStatus = h("p", { class: "vs-video-status", "aria-live": "polite" });
  const onVideoState = (state: VideoState, message?: string) => {
    videoStatus.textContent = state === "loading" ? "Loading the video…" : (message ?? "");
  };
  const ensureVideo = () => {
    if (video || !statuses.succeeded(card.status)) return;
    if (!card.has_video && !ctx.loader.directUrl(videoSource(card))) return;
    video = h("video", {
      class: "vs-video",
      controls: true,
      loop: true,
      muted: true,
      playsinline: true,
      preload: "none",
      "aria-label": `Result video: ${excerpt(card.request.prompt, 60) || ctx.title}`,
    });
    video.muted = true; // the attribute alone does not mute in every browser
    media.replaceChildren(video, videoStatus);
    ctx.loader.attach(video, videoSource(card), onVideoState);
  };

  // The link gets a Blob URL on first use; the click that fetched it then follows it.
  let downloadUrl: string | null = null;
  download.addEventListener("click", async (event) => {
    const href = video ? ctx.loader.objectUrl(video) : null;
    if (href || downloadUrl) {
      download.href = href ?? downloadUrl ?? "#";
      return; // the browser follows the link
    }
    event.preventDefault();
    const direct = ctx.loader.directUrl(videoSource(card));
    if (!card.has_video && direct) {
      window.open(direct, "_blank", "noopener");
      return;
    }
    note.textContent = "Preparing the download…";
    try {
      downloadUrl = await ctx.actions.download(card);
      download.href = downloadUrl;
      note.textContent = "";
      download.click();
    } catch (reason) {
      note.textContent = reason instanceof Error ? reason.message : String(reason);
    }
  });

  const tick = () => {
    const now = ctx.now();
    const started = card.created_at;
    const parts: string[] = [];
    if (statuses.waiting(card.status)) {
      if (card.paused) parts.push("paused: submissions are held");
      else if (card.position !== null) parts.push(classPlace(card.position, card.eta));
      else if (position !== null) parts.push(`#${position} in local queue`);
    }
    if (statuses.unfinished(card.status)) {
      parts.push(`${clock(now - started)} elapsed`);
      const expected = card.expected_seconds;
      if (expected && card.submitted_at && statuses.atProvider(card.status)) {
        const left = card.submitted_at + expected - now;
        parts.push(left > 1 ? `about ${clock(left)} left` : "finishing soon");
      }
    } else if (card.finished_at) {
      parts.push(`took ${clock(card.finished_at - started)}`);
    }
    if (card.downloading) parts.push("downloading the video");
    time.textContent = parts.join(" · ");
  };

  const update = (next: TaskCard, nextPosition: number | null) => {
    card = next;
    position = nextPosition;
    el.dataset.localId = card.local_id;
    el.dataset.status = card.status;
    if (card.task_id) el.dataset.taskId = card.task_id;
    el.setAttribute("aria-label", `${ctx.title} task, ${statusLabel(card.status)}`);
    chip.textContent = statusLabel(card.status);
    chip.dataset.status = card.status;
    const tone = statusTone(statuses, card.status, Boolean(card.error_code));
    if (tone) chip.dataset.tone = tone;
    else delete chip.dataset.tone;
    prompt.textContent = excerpt(card.request.prompt);
    idCode.textContent =
      card.task_id ??
      (statuses.unfinished(card.status) ? "not yet assigned" : "none (never submitted)");
    copy.hidden = !card.task_id;
    copy.replaceChildren("Copy", srOnly(" task id"));
    if (card.provider === "simulator") cost.textContent = " · simulated, nothing paid";
    else cost.textContent = card.cost !== null ? ` · ${money(card.cost)}` : "";
    const failedText = [card.error_code, card.error_message].filter(Boolean).join(": ");
    error.replaceChildren(
      ...(card.error_code ? [h("code", {}, card.error_code)] : []),
      card.error_code && card.error_message ? ": " : "",
      card.error_message ?? "",
    );
    error.hidden = !failedText;
    const parts: string[] = [];
    if (card.replaces) parts.push(`Submitted again in place of task ${shortId(card.replaces)}.`);
    if (card.replaced_by) parts.push(`Replaced by task ${shortId(card.replaced_by)}.`);
    lineage.textContent = parts.join(" ");
    lineage.hidden = parts.length === 0;
    const warned = card.warnings ?? [];
    warnings.replaceChildren(
      ...warned.map((w) =>
        h(
          "li",
          { class: "vs-card-warning", "data-field": w.field },
          w.message,
          w.fix ? ` (fix: vace_studio.media.${w.fix})` : "",
        ),
      ),
    );
    warnings.hidden = warned.length === 0;
    uncertain.update(card);
    // An uncertain card shows its advice with its choices; any other card shows it here.
    advice.textContent = uncertain.el.hidden ? (card.advice ?? "") : "";
    advice.hidden = !advice.textContent;
    // A paused waiting card says so in its time line; the engine's same words need no repeat.
    trouble.textContent = card.paused ? "" : (card.last_error ?? "");
    trouble.hidden = !trouble.textContent;
    cancel.hidden = !statuses.is("cancelable", card.status);
    retry.hidden = !statuses.is("retryable", card.status);
    const succeeded = statuses.succeeded(card.status);
    download.hidden = !succeeded || (!card.has_video && !card.video_url);
    download.setAttribute("download", `vace-${card.task_id ?? card.local_id}.mp4`);
    compare.hidden = !(ctx.actions.compare && succeeded && card.has_source);
    extend.hidden = !(ctx.actions.extend && succeeded && card.has_video);
    ensureVideo();
    if (video) ctx.loader.update(video, videoSource(card));
    tick();
  };

  update(initial, null);
  return {
    el,
    update,
    tick,
    destroy() {
      closeAb();
      if (video) ctx.loader.detach(video);
      if (downloadUrl) URL.revokeObjectURL(downloadUrl);
      el.remove();
    },
  };
}
