import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type Channel, createChannel } from "../src/messages";
import { fetchVideo, type ObserverFactory, VideoLoader, type VideoSource } from "../src/ui/videos";
import { FakeModel, flush } from "./helpers";

/** An IntersectionObserver the test drives: `show(el)` / `hide(el)`. */
function fakeObserver() {
  let callback: Parameters<ObserverFactory>[0] = () => {};
  const observed = new Set<Element>();
  const factory: ObserverFactory = (cb) => {
    callback = cb;
    return {
      observe: (el) => observed.add(el),
      unobserve: (el) => observed.delete(el),
      disconnect: () => observed.clear(),
    };
  };
  return {
    factory,
    observed,
    show: (...els: Element[]) => callback(els.map((target) => ({ target, isIntersecting: true }))),
    hide: (...els: Element[]) => callback(els.map((target) => ({ target, isIntersecting: false }))),
  };
}

let model: FakeModel<Record<string, unknown>>;
let channel: Channel;
let urls = 0;
beforeEach(() => {
  model = new FakeModel({});
  channel = createChannel(model, { idPrefix: "v" });
  urls = 0;
  vi.spyOn(URL, "createObjectURL").mockImplementation(() => `blob:test/${++urls}`);
  vi.spyOn(URL, "revokeObjectURL").mockImplementation(() => {});
});
afterEach(() => {
  vi.restoreAllMocks();
  document.body.replaceChildren();
});

const source = (localId: string, extra: Partial<VideoSource> = {}): VideoSource => ({
  localId,
  hasVideo: true,
  url: null,
  expiresAt: null,
  ...extra,
});
const videos = (n: number) =>
  Array.from({ length: n }, () => {
    const el = document.createElement("video");
    document.body.append(el);
    return el;
  });
const videoRequests = () => model.sent.filter((m) => m.content.kind === "video");

/** Answers every pending `video` request with a one-chunk video. */
function answerAll(bytes = [1, 2, 3]) {
  for (const { content } of videoRequests()) {
    if (content.answered) continue;
    content.answered = true;
    model.reply(
      {
        id: content.id,
        ok: true,
        size: bytes.length,
        offset: 0,
        last: true,
        etag: "e",
        mime: "video/mp4",
      },
      [new Uint8Array(bytes).buffer],
    );
  }
}

describe("fetchVideo", () => {
  it("asks chunk after chunk and joins them into one Blob", async () => {
    const got = fetchVideo(channel, "t1");
    const first = model.lastSent().content;
    expect(first).toMatchObject({ kind: "video", local_id: "t1", offset: 0 });
    model.reply({ id: first.id, ok: true, size: 5, offset: 0, last: false, etag: "a" }, [
      new Uint8Array([1, 2, 3]).buffer,
    ]);
    await flush();
    const second = model.lastSent().content;
    expect(second).toMatchObject({ kind: "video", offset: 3 });
    model.reply(
      { id: second.id, ok: true, size: 5, offset: 3, last: true, etag: "a", mime: "video/mp4" },
      [new Uint8Array([4, 5]).buffer],
    );
    const blob = await got;
    expect(blob.type).toBe("video/mp4");
    expect([...new Uint8Array(await blob.arrayBuffer())]).toEqual([1, 2, 3, 4, 5]);
  });

  it("refuses chunks of two different files", async () => {
    const got = fetchVideo(channel, "t1");
    model.reply({ id: model.lastSent().content.id, ok: true, last: false, etag: "a" }, [
      new ArrayBuffer(2),
    ]);
    await flush();
    model.reply({ id: model.lastSent().content.id, ok: true, last: true, etag: "b" }, [
      new ArrayBuffer(2),
    ]);
    await expect(got).rejects.toThrow("the file changed while loading");
  });
});

describe("VideoLoader", () => {
  it("loads a video only once it is visible, as a Blob URL from the kernel", async () => {
    const io = fakeObserver();
    const loader = new VideoLoader(channel, { observer: io.factory });
    const [el] = videos(1) as [HTMLVideoElement];
    loader.attach(el, source("t1"));
    expect(videoRequests()).toEqual([]);
    io.show(el);
    expect(videoRequests().length).toBe(1);
    answerAll();
    await flush();
    expect(el.getAttribute("src")).toBe("blob:test/1");
    expect(el.dataset.state).toBe("loaded");
    expect(loader.objectUrl(el)).toBe("blob:test/1");
  });

  it("with settleMs, loads only once scrolling pauses", () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    try {
      const io = fakeObserver();
      const loader = new VideoLoader(channel, { observer: io.factory, settleMs: 200 });
      const [a, b] = videos(2) as [HTMLVideoElement, HTMLVideoElement];
      loader.attach(a, source("a"));
      loader.attach(b, source("b"));
      io.show(a);
      vi.advanceTimersByTime(150);
      io.hide(a); // scrolled past before it settled: never fetched
      io.show(b);
      vi.advanceTimersByTime(150);
      expect(videoRequests()).toEqual([]);
      vi.advanceTimersByTime(60);
      expect(videoRequests().map((m) => m.content.local_id)).toEqual(["b"]);
      loader.destroy();
    } finally {
      vi.useRealTimers();
    }
  });

  it("asks for stills of the visible videos the cap keeps waiting", async () => {
    const io = fakeObserver();
    const asked: string[] = [];
    const loader = new VideoLoader(channel, {
      observer: io.factory,
      maxLoaded: 1,
      poster: async (s) => {
        asked.push(s.localId);
        return `blob:poster/${s.localId}`;
      },
    });
    const els = videos(4);
    for (const [i, el] of els.entries()) loader.attach(el, source(`t${i}`));
    io.show(...els);
    await flush();
    expect(videoRequests().map((m) => m.content.local_id)).toEqual(["t0"]);
    expect(asked).toEqual(["t1", "t2", "t3"]); // two at a time, then the third
    expect((els[1] as HTMLVideoElement).poster).toBe("blob:poster/t1");
    loader.detach(els[1] as HTMLVideoElement);
    expect(URL.revokeObjectURL).toHaveBeenCalledWith("blob:poster/t1");
    loader.destroy();
  });

  it("with 200 results, never holds more than 8 videos, however they scroll", async () => {
    const io = fakeObserver();
    const loader = new VideoLoader(channel, { observer: io.factory });
    const els = videos(200);
    for (const [i, el] of els.entries()) loader.attach(el, source(`t${i}`));
    // Scroll through the list, 4 cards in view at a time, answering what is asked.
    let peak = 0;
    for (let top = 0; top < 200; top += 2) {
      const inView = els.slice(top, top + 4);
      io.hide(...els.slice(Math.max(0, top - 2), top));
      io.show(...inView);
      for (let round = 0; round < 3; round++) {
        answerAll(); // two fetches at a time: the next ones start as these finish
        await flush();
      }
      peak = Math.max(peak, els.filter((el) => el.getAttribute("src")).length);
      for (const el of inView) expect(el.dataset.state).toBe("loaded");
    }
    expect(peak).toBeLessThanOrEqual(8);
    expect(loader.peakLoaded).toBeLessThanOrEqual(8);
    expect(URL.revokeObjectURL).toHaveBeenCalled(); // unloaded videos free their Blob
  });

  it("when more than 8 are visible at once, loads 8 and waits for one to leave", async () => {
    const io = fakeObserver();
    const loader = new VideoLoader(channel, { observer: io.factory });
    const els = videos(12);
    for (const [i, el] of els.entries()) loader.attach(el, source(`t${i}`));
    io.show(...els);
    for (let i = 0; i < 6; i++) {
      answerAll();
      await flush();
    }
    expect(loader.loadedCount).toBe(8);
    io.hide(els[0] as HTMLVideoElement);
    answerAll();
    await flush();
    expect(els[0]?.getAttribute("src")).toBeNull();
    expect(loader.loadedCount).toBe(8);
    expect(els[8]?.dataset.state).toBe("loaded");
  });

  it("plays a valid public https URL directly, and falls back to the kernel when it fails", async () => {
    const io = fakeObserver();
    const loader = new VideoLoader(channel, { observer: io.factory, now: () => 1000 });
    const [el] = videos(1) as [HTMLVideoElement];
    loader.attach(el, source("t1", { url: "https://oss.example/v.mp4", expiresAt: 90_000 }));
    io.show(el);
    expect(el.getAttribute("src")).toBe("https://oss.example/v.mp4");
    expect(videoRequests()).toEqual([]);
    el.dispatchEvent(new Event("error")); // e.g. unreachable from this browser
    expect(videoRequests().length).toBe(1);
    answerAll();
    await flush();
    expect(el.getAttribute("src")).toBe("blob:test/1");
  });

  it("does not trust an expired, almost expired or plain-http URL", () => {
    const loader = new VideoLoader(channel, { now: () => 1000 });
    expect(loader.directUrl(source("a", { url: "https://x/v.mp4", expiresAt: 1100 }))).toBeNull();
    expect(
      loader.directUrl(source("a", { url: "http://127.0.0.1/v.mp4", expiresAt: null })),
    ).toBeNull();
    expect(loader.directUrl(source("a", { url: "https://x/v.mp4", expiresAt: 5000 }))).toBe(
      "https://x/v.mp4",
    );
  });

  it("reports a failed load, and retries when the task has news", async () => {
    const io = fakeObserver();
    const loader = new VideoLoader(channel, { observer: io.factory });
    const [el] = videos(1) as [HTMLVideoElement];
    const states: string[] = [];
    loader.attach(el, source("t1"), (state, message) => states.push(message ?? state));
    io.show(el);
    model.reply({
      id: model.lastSent().content.id,
      ok: false,
      error: "no video",
      code: "no_video",
    });
    await flush();
    expect(states).toEqual(["loading", "The video could not be loaded: no video"]);
    loader.update(el, source("t1"));
    expect(videoRequests().length).toBe(2);
  });

  it("unloads and stops observing on detach and destroy", async () => {
    const io = fakeObserver();
    const loader = new VideoLoader(channel, { observer: io.factory });
    const [a, b] = videos(2) as [HTMLVideoElement, HTMLVideoElement];
    loader.attach(a, source("a"));
    loader.attach(b, source("b"));
    io.show(a, b);
    answerAll();
    await flush();
    loader.detach(a);
    expect(a.getAttribute("src")).toBeNull();
    expect(io.observed.has(a)).toBe(false);
    loader.destroy();
    expect(b.getAttribute("src")).toBeNull();
    expect(io.observed.size).toBe(0);
  });
});
