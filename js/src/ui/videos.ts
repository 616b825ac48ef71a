// Result videos, loaded lazily and few at a time.
//
// A card's <video> gets a source only while it is (nearly) on screen, and at most `maxLoaded`
// videos hold a source at once: with 200 results, decoding 200 MP4s would stall the page and keep
// hundreds of MB of Blobs alive. When a new one scrolls in and the cap is reached, the video that
// left the screen longest ago is unloaded (its Blob URL revoked); it loads again when it returns.
//
// Where the bytes come from: a public https result URL is played directly while it is valid (no
// kernel traffic); otherwise, or when that fails, the kernel sends the MP4 over the widget's comm
// in chunks (`video {local_id, offset}`), which works even when the browser cannot reach the
// kernel's host or the provider (JupyterHub, VS Code remote, Colab, an expired URL).

import type { Channel } from "../messages";

export interface VideoSource {
  localId: string;
  /** The kernel has the MP4. */
  hasVideo: boolean;
  url: string | null;
  /** Expiry of `url`, kernel-clock Unix seconds. */
  expiresAt: number | null;
}

export type VideoState = "idle" | "loading" | "loaded" | "failed";

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
}

export const MAX_LOADED = 8;
/** Seconds of validity a direct URL must still have; an about-to-expire one would fail mid-play. */
const URL_MARGIN_S = 300;

const defaultObserver: ObserverFactory | undefined =
  typeof IntersectionObserver === "undefined"
    ? undefined
    : // rootMargin: start loading just before a card scrolls into view.
      (callback) => new IntersectionObserver(callback, { rootMargin: "200px 0px" });

/**
 * Fetches a file from the kernel chunk by chunk (`kind` answers `{size, offset, last, etag, mime}`
 * plus one buffer per request, see widget/videos.py) and returns it as one Blob.
 */
export async function fetchChunks(
  channel: Channel,
  kind: string,
  payload: Record<string, unknown>,
  options: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<Blob> {
  const parts: Uint8Array<ArrayBuffer>[] = [];
  let offset = 0;
  let etag: unknown;
  let mime = "video/mp4";
  for (;;) {
    const { msg, buffers } = await channel.request(
      kind,
      { ...payload, offset },
      { timeoutMs: options.timeoutMs ?? 60_000, signal: options.signal },
    );
    const part = buffers[0];
    if (!part) throw new Error("the kernel sent no data");
    if (etag !== undefined && msg.etag !== etag) throw new Error("the file changed while loading");
    etag = msg.etag;
    if (typeof msg.mime === "string") mime = msg.mime;
    parts.push(new Uint8Array(part.buffer as ArrayBuffer, part.byteOffset, part.byteLength));
    offset += part.byteLength;
    if (msg.last === true) break;
    if (part.byteLength === 0) throw new Error("the kernel sent an empty chunk before the end");
  }
  return new Blob(parts, { type: mime });
}

/** Fetches a task's MP4 (or with `source`, the source video its request names) as one Blob. */
export function fetchVideo(
  channel: Channel,
  localId: string,
  options: { signal?: AbortSignal; timeoutMs?: number; source?: boolean } = {},
): Promise<Blob> {
  const payload: Record<string, unknown> = { local_id: localId };
  if (options.source) payload.source = true;
  return fetchChunks(channel, "video", payload, options);
}

export class VideoLoader {
  readonly maxLoaded: number;
  private readonly maxConcurrent: number;
  private readonly now: () => number;
  private readonly entries = new Map<HTMLVideoElement, Entry>();
  private readonly observer: ObserverLike | null;
  private readonly chunkTimeoutMs: number;
  private tick = 0;
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
    if (entry.state === "failed") this.setState(entry, "idle");
    this.pump();
  }

  detach(el: HTMLVideoElement): void {
    const entry = this.entries.get(el);
    if (!entry) return;
    this.observer?.unobserve(el);
    this.unload(entry);
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
    this.observer?.disconnect();
    for (const entry of this.entries.values()) this.unload(entry);
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
      entry.visible = change.isIntersecting;
      entry.lastSeen = this.tick;
    }
    this.pump();
  }

  private pump(): void {
    let loading = 0;
    for (const e of this.entries.values()) if (e.state === "loading") loading++;
    for (const entry of this.entries.values()) {
      if (!entry.visible || entry.state !== "idle" || !this.available(entry)) continue;
      if (loading >= this.maxConcurrent) break;
      if (this.loadedCount >= this.maxLoaded && !this.evictOne()) break;
      loading++;
      void this.load(entry);
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
      this.setState(entry, "failed", `The video could not be loaded: ${message}`);
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
    this.setState(entry, "failed", "This browser cannot play the video.");
  }

  private unload(entry: Entry): void {
    entry.abort?.abort();
    entry.abort = null;
    if (entry.el.getAttribute("src") !== null) {
      entry.el.pause();
      entry.el.removeAttribute("src");
      entry.el.load(); // releases the decoder and the buffered data
    }
    if (entry.objectUrl) URL.revokeObjectURL(entry.objectUrl);
    entry.objectUrl = null;
    if (entry.state !== "failed") this.setState(entry, "idle");
  }

  private setState(entry: Entry, state: VideoState, message?: string): void {
    entry.state = state;
    entry.el.dataset.state = state;
    entry.onState?.(state, message);
  }
}
