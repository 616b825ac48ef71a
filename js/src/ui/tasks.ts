// The task list: cards newest first, kept current from the kernel's `tasks` pushes (deltas).
//
// A view asks `hello` for every card once, then applies pushes. Pushes that arrive before that
// answer are dropped: the kernel flushes pending changes before it answers, so the snapshot
// already contains them. A delta for a card this view does not know means it missed something:
// it asks for a fresh snapshot rather than showing half a card.

import { h } from "../form/dom";
import type { Channel, Message } from "../messages";
import type { StatusSets } from "../status";
import type { CardDelta, TaskCard } from "../traits";
import { type CardActions, type CardView, createCard } from "./card";
import { createCompare } from "./compare";
import { fetchVideo, VideoLoader, type VideoLoaderOptions } from "./videos";

export interface TaskListOptions {
  channel: Channel;
  /** The function's title (from the schema) for a card's heading. */
  titleOf(fn: string): string;
  /** "Edit as new": put this card's request into its function's form. */
  onEdit(card: TaskCard): void;
  /** "Extend this result": opens a video extension of it; resolves to a line for the card. */
  onExtend?(card: TaskCard): Promise<string>;
  /** The status table's sets (the `status_table` trait). */
  statuses: StatusSets;
  video?: VideoLoaderOptions;
}

export interface TaskListHandle {
  el: HTMLElement;
  loader: VideoLoader;
  /** Cards as this view knows them, newest first. */
  cards(): TaskCard[];
  destroy(): void;
}

const HELLO_RETRY_MS = [1_000, 3_000, 10_000];

const isCard = (d: CardDelta): d is TaskCard =>
  typeof d.function === "string" && typeof d.status === "string" && typeof d.order === "number";

export function createTaskList(options: TaskListOptions): TaskListHandle {
  const { channel, statuses } = options;
  const cards = new Map<string, TaskCard>();
  const views = new Map<string, CardView>();
  let offset = 0; // kernel clock minus browser clock, seconds
  let ready = false;
  let destroyed = false;
  let helloAttempt = 0;
  const now = () => Date.now() / 1000 + offset;
  const loader = new VideoLoader(channel, { now, ...options.video });

  const list = h("ol", { class: "vs-task-list" });
  const empty = h("p", { class: "vs-empty" }, "No tasks yet. Fill in a form and submit it.");
  const el = h(
    "section",
    { class: "vs-tasks", "aria-label": "Tasks", "data-slot": "tasks" },
    h("h3", { class: "vs-tasks-title" }, "Tasks"),
    empty,
    list,
  );

  const actions: CardActions = {
    async cancel(card) {
      const { msg } = await channel.request("cancel", { local_id: card.local_id });
      return msg.stopped === true ? "Canceled." : `Not canceled: the task is ${msg.status}.`;
    },
    async adopt(card, taskId) {
      const { msg } = await channel.request("adopt", { local_id: card.local_id, task_id: taskId });
      return `Adopted ${String(msg.task_id ?? taskId)}: it is polled like any task now.`;
    },
    async resubmit(card) {
      await channel.request("resubmit", { local_id: card.local_id });
      return "Submitted again as a new task (at the top of the list); this one is replaced.";
    },
    async retry(card) {
      await channel.request("retry", { local_id: card.local_id });
      return "Submitted again as a new task (at the top of the list).";
    },
    edit: (card) => options.onEdit(card),
    extend: options.onExtend,
    async download(card) {
      return URL.createObjectURL(await fetchVideo(channel, card.local_id));
    },
    compare(card, onClose) {
      return createCompare({
        a: {
          label: "source video",
          load: async (signal) =>
            URL.createObjectURL(await fetchVideo(channel, card.local_id, { signal, source: true })),
        },
        b: {
          label: "result",
          load: async (signal) =>
            URL.createObjectURL(await fetchVideo(channel, card.local_id, { signal })),
        },
        onClose,
      });
    },
  };

  const setClock = (kernelNow: unknown) => {
    if (typeof kernelNow === "number") offset = kernelNow - Date.now() / 1000;
  };

  /** Local queue positions: the waiting cards ranked by `order` (see widget/cards.py). */
  const positions = (): Map<string, number> => {
    const waiting = [...cards.values()].filter((c) => statuses.waiting(c.status));
    waiting.sort((a, b) => a.order - b.order);
    return new Map(waiting.map((c, i) => [c.local_id, i + 1]));
  };

  let shownRanks = new Map<string, number>();
  /** Updates the cards in `changed` (all when null) and those whose queue position moved. */
  const render = (changed: Set<string> | null) => {
    const ranks = positions();
    const newestFirst = [...cards.values()].sort((a, b) => b.created_at - a.created_at);
    let previous: Element | null = null;
    for (const card of newestFirst) {
      let view = views.get(card.local_id);
      if (!view) {
        view = createCard(card, {
          title: options.titleOf(card.function),
          loader,
          actions,
          statuses,
          now,
        });
        views.set(card.local_id, view);
      }
      const rank = ranks.get(card.local_id) ?? null;
      if (
        changed === null ||
        changed.has(card.local_id) ||
        shownRanks.get(card.local_id) !== rank
      ) {
        view.update(card, rank);
      }
      // Move only what is out of place, so playing videos are not detached and reattached.
      const expected: Element | null = previous
        ? previous.nextElementSibling
        : list.firstElementChild;
      if (expected !== view.el) list.insertBefore(view.el, expected);
      previous = view.el;
    }
    shownRanks = ranks;
    empty.hidden = cards.size > 0;
  };

  const applySnapshot = (msg: Message) => {
    setClock(msg.now);
    const incoming = Array.isArray(msg.cards) ? (msg.cards as CardDelta[]) : [];
    const known = new Set<string>();
    for (const card of incoming) {
      if (!isCard(card)) continue;
      cards.set(card.local_id, card);
      known.add(card.local_id);
    }
    for (const id of [...cards.keys()]) {
      if (known.has(id)) continue;
      cards.delete(id);
      views.get(id)?.destroy();
      views.delete(id);
    }
    ready = true;
    render(null);
  };

  const hello = () => {
    channel
      .request("hello")
      .then(({ msg }) => !destroyed && applySnapshot(msg))
      .catch(() => {
        // The kernel may be busy running a long cell: try again, a few times.
        const wait = HELLO_RETRY_MS[helloAttempt++];
        if (!destroyed && wait !== undefined) setTimeout(hello, wait);
      });
  };

  const stopPush = channel.onPush("tasks", (msg) => {
    if (!ready) return;
    setClock(msg.now);
    const deltas = Array.isArray(msg.cards) ? (msg.cards as CardDelta[]) : [];
    const changed = new Set<string>();
    for (const delta of deltas) {
      changed.add(delta.local_id);
      const known = cards.get(delta.local_id);
      if (known) cards.set(delta.local_id, { ...known, ...delta });
      else if (isCard(delta)) cards.set(delta.local_id, delta);
      else {
        ready = false; // missed the start of this card: resynchronise
        hello();
        return;
      }
    }
    render(changed);
  });

  // Elapsed times and ETAs move every second without any message from the kernel.
  const timer = setInterval(() => {
    for (const card of cards.values()) {
      if (statuses.unfinished(card.status) || card.downloading) views.get(card.local_id)?.tick();
    }
  }, 1000);

  hello();
  return {
    el,
    loader,
    cards: () => [...cards.values()].sort((a, b) => b.created_at - a.created_at),
    destroy() {
      destroyed = true;
      clearInterval(timer);
      stopPush();
      for (const view of views.values()) view.destroy();
      loader.destroy();
      el.remove();
    },
  };
}
