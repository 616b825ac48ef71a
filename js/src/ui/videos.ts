// Result videos, loaded lazily and few at a time.
//
// A card's <video> gets a source only while it is (nearly) on screen, and at most `maxLoaded`
// videos hold a source at once: with 200 results, decoding 200 MP4s would stall the page and keep
// hundreds of MB of Blobs alive. When a new one scrolls in and the cap is reached, the video that
// left the screen longest ago is unloaded (its Blob URL revoked, its frame kept as the poster); it
// loads again when it returns. A gallery also asks the kernel for stills of the visible videos the
// cap keeps waiting (`poster`), and waits for scrolling to pause before loading (`settleMs`).
//
// Where the bytes come from: a public https result URL is played directly while it is valid (no
// kernel traffic); otherwise, or when that fails, the kernel sends the MP4 over the widget's comm
// in chunks (`video {local_id, offset}`), which works even when the browser cannot reach the
// kernel's host or the provider (JupyterHub, VS Code remote, Colab, an expired URL).

import type { Channel } from "../messages";
import { fetchVideo } from "./chunks";

export { fetchChunks, fetchVideo } from "./chunks";

export interface VideoSource {
  localId: string;
  /** The kernel has the MP4. */
  hasVideo: boolean;
  url: string | null;
  /** Expiry of `url`, kernel-clock Unix seconds. */
  expiresAt: number | null;
}

export type VideoState = "idle" | "loading" | "loaded" | "error";

export interface ObserverLike {
  observe(el: Element): void;
  unobserve(el: Element): void;
  disconnect(): void;
}
export type ObserverFactory = (
  callback: (entries: { target: Element; isIntersecting: boolean }[]) => void,
) => ObserverLike;

export interface VideoLoaderOptions {
  maxLoaded?: number;
  maxConcurrent?: number;
  /** Kernel-clock seconds (the task list knows the clock offset). */
  now?: () => number;
  observer?: ObserverFactory;
  chunkTimeoutMs?: number;
  /**
   * Milliseconds without any video entering or leaving the screen before one loads (default 0):
   * loads wait until scrolling pauses. A gallery sets it, so scrolling past 200 cells does not
   * fetch, start and tear down a player for every cell it passes (each costs main-thread time,
   * which showed as scroll hitches in benchmarks/bench_gallery.py).
   */
  settleMs?: number;
  /**
   * Fetches a still of a video the cap keeps from loading (a URL the loader then owns), so a
   * visible cell never stays a black box. Asked at most two at a time, once scrolling pauses.
   */
  poster?: (source: VideoSource, signal: AbortSignal) => Promise<string | null>;
}

interface Entry {
  el: HTMLVideoElement;
  source: VideoSource;
  visible: boolean;
  lastSeen: number;
  state: VideoState;
  objectUrl: string | null;
  directFailed: boolean;
  onState?: (state: VideoState, message?: string) => void;
  abort: AbortController | null;
  /** "asked" while a poster is being fetched, then its Blob URL ("none" if there is none). */
  poster: string | null;
}

export const MAX_LOADED = 8;
/** Seconds of validity a direct URL must still have; an about-to-expire one would fail mid-play. */
const URL_MARGIN_S = 300;

const defaultObserver: ObserverFactory | undefined =
  typeof IntersectionObserver === "undefined"
    ? undefined
    : // rootMargin: start loading just before a card scrolls into view.
      (callback) => new IntersectionObserver(callback, { rootMargin: "200px 0px" });

const POSTER_WIDTH = 192;

/**
 * Keeps the frame on screen as the video's poster before its source is dropped, so an unloaded
 * video shows a still instead of a black box (a small JPEG, a few KB). Cross-origin frames cannot
 * be read back (a tainted canvas): those simply get no poster.
 */
export function keepPoster(el: HTMLVideoElement): void {
  if (el.readyState < 2 || !el.videoWidth || !el.videoHeight) return;
  try {
    const canvas = document.createElement("canvas");
    canvas.width = POSTER_WIDTH;
    canvas.height = Math.max(1, Math.round((POSTER_WIDTH * el.videoHeight) / el.videoWidth));
    const context = canvas.getContext("2d");
    if (!context) return;
    context.drawImage(el, 0, 0, canvas.width, canvas.height);
    el.poster = canvas.toDataURL("image/jpeg", 0.7);
  } catch {
    // A tainted canvas (a cross-origin URL) or no 2D canvas: no poster.
  }
}

function dropPoster(entry: Entry): void {
  if (entry.poster?.startsWith("blob:")) URL.revokeObjectURL(entry.poster);
  entry.poster = null;
}

export class VideoLoader {
  readonly maxLoaded: number;
  private readonly maxConcurrent: number;
  private readonly now: () => number;
  private readonly entries = new Map<HTMLVideoElement, Entry>();
  private readonly observer: ObserverLike | null;
  private readonly chunkTimeoutMs: number;
  private readonly settleMs: number;
  private settleTimer: ReturnType<typeof setTimeout> | null = null;
  /** performance.now() of the last time a video entered or left the screen. */
  private lastChange = Number.NEGATIVE_INFINITY;
  private tick = 0;
  private readonly fetchPoster: VideoLoaderOptions["poster"];
  private readonly posterAbort = new AbortController();
  private postersInFlight = 0;
  /** Most sources held at once since creation (what the benchmark reports). */
  peakLoaded = 0;

  constructor(
    private readonly channel: Channel,
    options: VideoLoaderOptions = {},
  ) {
    this.maxLoaded = options.maxLoaded ?? MAX_LOADED;
    this.maxConcurrent = options.maxConcurrent ?? 2;
    this.now = options.now ?? (() => Date.now() / 1000);
    this.chunkTimeoutMs = options.chunkTimeoutMs ?? 60_000;
    this.settleMs = options.settleMs ?? 0;
    this.fetchPoster = options.poster;
    const factory = options.observer ?? defaultObserver;
    this.observer = factory ? factory((entries) => this.onIntersect(entries)) : null;
  }

  /** Starts managing `el`; it loads once visible (at once when IntersectionObserver is missing). */
  attach(
    el: HTMLVideoElement,
    source: VideoSource,
    onState?: (state: VideoState, message?: string) => void,
  ): void {
    const entry: Entry = {
      el,
      source,
      visible: this.observer === null,
      lastSeen: 0,
      state: "idle",
      objectUrl: null,
      directFailed: false,
      onState,
      abort: null,
      poster: null,
    };
    this.entries.set(el, entry);
    el.addEventListener("error", () => this.onMediaError(entry));
    this.observer?.observe(el);
    this.pump();
  }

  /** New facts about a video (the download finished, a URL arrived): retry a failed load. */
  update(el: HTMLVideoElement, source: VideoSource): void {
    const entry = this.entries.get(el);
    if (!entry) return;
    entry.source = source;
    if (entry.state === "error") this.setState(entry, "idle");
    this.pump();
  }

  detach(el: HTMLVideoElement): void {
    const entry = this.entries.get(el);
    if (!entry) return;
    this.observer?.unobserve(el);
    this.unload(entry);
    dropPoster(entry);
    this.entries.delete(el);
    this.pump();
  }

  /** The Blob URL already playing in `el`, if any (the download link reuses it). */
  objectUrl(el: HTMLVideoElement): string | null {
    return this.entries.get(el)?.objectUrl ?? null;
  }

  /** Videos holding (or fetching) a source right now. */
  get loadedCount(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.state === "loaded" || e.state === "loading") n++;
    return n;
  }

  destroy(): void {
    if (this.settleTimer !== null) clearTimeout(this.settleTimer);
    this.observer?.disconnect();
    this.posterAbort.abort();
    for (const entry of this.entries.values()) {
      this.unload(entry);
      dropPoster(entry);
    }
    this.entries.clear();
  }

  directUrl(source: VideoSource): string | null {
    const { url, expiresAt } = source;
    if (!url?.startsWith("https://")) return null;
    if (expiresAt !== null && expiresAt - this.now() < URL_MARGIN_S) return null;
    return url;
  }

  private available(entry: Entry): boolean {
    return entry.source.hasVideo || (!entry.directFailed && this.directUrl(entry.source) !== null);
  }

  private onIntersect(changes: { target: Element; isIntersecting: boolean }[]): void {
    this.tick++;
    for (const change of changes) {
      const entry = this.entries.get(change.target as HTMLVideoElement);
      if (!entry) continue;
      if (entry.visible !== change.isIntersecting) this.lastChange = performance.now();
      entry.visible = change.isIntersecting;
      entry.lastSeen = this.tick;
    }
    this.pump();
  }

  private pump(): void {
    let loading = 0;
    for (const e of this.entries.values()) if (e.state === "loading") loading++;
    const wait = this.lastChange + this.settleMs - performance.now();
    let settling = false;
    for (const entry of this.entries.values()) {
      if (!entry.visible || entry.state !== "idle" || !this.available(entry)) continue;
      if (wait > 0) {
        settling = true; // still scrolling: look again once it pauses
        break;
      }
      if (loading >= this.maxConcurrent) break;
      if (this.loadedCount >= this.maxLoaded && !this.evictOne()) break;
      loading++;
      void this.load(entry);
    }
    if (!settling) this.askPosters();
    if (settling && this.settleTimer === null) {
      this.settleTimer = setTimeout(() => {
        this.settleTimer = null;
        this.pump();
      }, wait + 1);
    }
  }

  /** Stills for the visible videos the cap keeps waiting (only with a `poster` option). */
  private askPosters(): void {
    const fetchPoster = this.fetchPoster;
    if (!fetchPoster) return;
    for (const entry of this.entries.values()) {
      if (this.postersInFlight >= 2) return;
      if (!entry.visible || entry.state !== "idle" || entry.poster !== null || entry.el.poster) {
        continue;
      }
      if (!entry.source.hasVideo) continue;
      entry.poster = "asked";
      this.postersInFlight++;
      fetchPoster(entry.source, this.posterAbort.signal)
        .then((url) => {
          if (!this.entries.has(entry.el)) {
            if (url?.startsWith("blob:")) URL.revokeObjectURL(url);
            return;
          }
          entry.poster = url ?? "none";
          if (url && !entry.el.poster) entry.el.poster = url;
        })
        .catch(() => {
          entry.poster = "none";
        })
        .finally(() => {
          this.postersInFlight--;
          this.pump();
        });
    }
  }

  /** Unloads the video that left the screen longest ago; false when all loaded ones are visible. */
  private evictOne(): boolean {
    let victim: Entry | null = null;
    for (const e of this.entries.values()) {
      if (e.visible || e.state !== "loaded") continue;
      if (victim === null || e.lastSeen < victim.lastSeen) victim = e;
    }
    if (victim === null) return false;
    this.unload(victim);
    return true;
  }

  private async load(entry: Entry): Promise<void> {
    const direct = entry.directFailed ? null : this.directUrl(entry.source);
    if (direct) {
      this.show(entry, direct);
      return;
    }
    this.setState(entry, "loading");
    const abort = new AbortController();
    entry.abort = abort;
    try {
      const blob = await fetchVideo(this.channel, entry.source.localId, {
        signal: abort.signal,
        timeoutMs: this.chunkTimeoutMs,
      });
      if (entry.abort !== abort) return; // unloaded or detached meanwhile
      entry.abort = null;
      entry.objectUrl = URL.createObjectURL(blob);
      this.show(entry, entry.objectUrl);
    } catch (error) {
      if (entry.abort !== abort) return;
      entry.abort = null;
      const message = error instanceof Error ? error.message : String(error);
      this.setState(entry, "error", `The video could not be loaded: ${message}`);
    } finally {
      this.pump();
    }
  }

  private show(entry: Entry, src: string): void {
    entry.el.preload = "auto";
    entry.el.src = src;
    this.setState(entry, "loaded");
    this.peakLoaded = Math.max(this.peakLoaded, this.loadedCount);
  }

  private onMediaError(entry: Entry): void {
    if (entry.state !== "loaded") return;
    const wasDirect = entry.objectUrl === null;
    this.unload(entry);
    if (wasDirect && entry.source.hasVideo) {
      // The URL failed (expired, or unreachable from this browser): ask the kernel instead.
      entry.directFailed = true;
      this.pump();
      return;
    }
    this.setState(entry, "error", "This browser cannot play the video.");
  }

  private unload(entry: Entry): void {
    entry.abort?.abort();
    entry.abort = null;
    if (entry.el.getAttribute("src") !== null) {
      entry.el.pause();
      keepPoster(entry.el);
      entry.el.removeAttribute("src");
      entry.el.load(); // releases the decoder and the buffered data
    }
    if (entry.objectUrl) URL.revokeObjectURL(entry.objectUrl);
    entry.objectUrl = null;
    if (entry.state !== "error") this.setState(entry, "idle");
  }

  private setState(entry: Entry, state: VideoState, message?: string): void {
    entry.state = state;
    entry.el.dataset.state = state;
    entry.onState?.(state, message);
  }
}
