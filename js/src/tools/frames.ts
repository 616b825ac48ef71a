// A video's frames as the kernel decodes them (PyAV, in display order): the scrubber, the
// trimmer and the painter all number frames from these, so frame n here is the frame
// `mask_frame_id = n` means to the service. A browser <video> seek lands on whichever frame the
// decoder finds near a time, which is not exact enough for a frame number.
//
// Small JPEGs of every frame come in batches ("frames" messages) and are kept as Blob URLs while
// the tool is open, so playing and stepping need no round trip; a full-resolution PNG of one
// frame ("frame_image") is fetched for the painter.

import type { Channel, Message } from "../messages";

export interface VideoFacts {
  /** The video's file name (never a kernel path). */
  name: string;
  fps: number;
  /** Frames decoded (up to the kernel's cap; `complete` is false when it cut a long video). */
  frames: number;
  complete: boolean;
  videoWidth: number;
  videoHeight: number;
  /** Size of the strip's JPEGs. */
  width: number;
  height: number;
  /** The longest clip the field the video came from takes (when a field was named). */
  maxSeconds?: number;
}

export interface FrameSource {
  readonly facts: VideoFacts;
  /** The form value the frames come from. */
  readonly video: string;
  /** Blob URL of frame n's JPEG (1-based); loads its batch when needed. */
  thumb(n: number): Promise<string>;
  /** Frame n at full resolution, decoded (the painter's background). */
  full(n: number): Promise<ImageBitmap | HTMLImageElement>;
  dispose(): void;
}

const BATCH = 24;
const TIMEOUT_MS = 60_000;

const num = (v: unknown, fallback = 0): number => (typeof v === "number" ? v : fallback);

function blobUrl(part: DataView, type: string): string {
  const bytes = new Uint8Array(part.buffer as ArrayBuffer, part.byteOffset, part.byteLength);
  return URL.createObjectURL(new Blob([bytes.slice()], { type }));
}

/** Opens `video` (a form field's value) and loads its first batch of frames. */
export async function openFrames(
  channel: Channel,
  video: string,
  width = 480,
  field?: string,
): Promise<FrameSource> {
  const urls = new Map<number, string>();
  const loading = new Map<number, Promise<void>>();
  let disposed = false;

  // One batch; an answer may hold fewer frames than asked (the transport's message size), so
  // the rest is asked for from where it stopped.
  const load = async (start: number, count = BATCH): Promise<Message> => {
    const { msg, buffers } = await channel.request(
      "frames",
      { video, start, count, width, field },
      { timeoutMs: TIMEOUT_MS },
    );
    buffers.forEach((part, i) => {
      const n = start + i;
      if (disposed || urls.has(n)) return;
      urls.set(n, blobUrl(part, "image/jpeg"));
    });
    const got = buffers.length;
    const total = num(msg.frames, 0);
    if (got > 0 && got < count && start + got <= total && !disposed) {
      await load(start + got, count - got);
    }
    return msg;
  };

  const first = await load(1);
  const facts: VideoFacts = {
    name: String(first.name ?? "video"),
    fps: num(first.fps, 16),
    frames: Math.max(1, num(first.frames, 1)),
    complete: first.complete !== false,
    videoWidth: num(first.video_width),
    videoHeight: num(first.video_height),
    width: num(first.width),
    height: num(first.height),
    maxSeconds: typeof first.max_seconds === "number" ? first.max_seconds : undefined,
  };

  const batchOf = (n: number) => Math.floor((n - 1) / BATCH) * BATCH + 1;
  const ensure = (n: number): Promise<void> => {
    const start = batchOf(n);
    let job = loading.get(start);
    if (!job) {
      job = load(start).then(() => undefined);
      loading.set(start, job);
      job.catch(() => loading.delete(start)); // a failed batch may be asked again
    }
    return job;
  };
  loading.set(1, Promise.resolve());

  return {
    facts,
    video,
    async thumb(n) {
      const k = Math.min(Math.max(1, Math.round(n)), facts.frames);
      const known = urls.get(k);
      if (known) return known;
      await ensure(k);
      // Prefetch the next batch while this one is looked at (playing runs forward).
      if (k + BATCH <= facts.frames) void ensure(k + BATCH).catch(() => undefined);
      const url = urls.get(k);
      if (!url) throw new Error(`frame ${k} of ${facts.name} did not arrive`);
      return url;
    },
    async full(n) {
      const { msg, buffers } = await channel.request(
        "frame_image",
        { video, frame: n },
        { timeoutMs: TIMEOUT_MS },
      );
      const part = buffers[0];
      if (!part) throw new Error(`frame ${n} of ${facts.name} did not arrive`);
      const url = blobUrl(part, typeof msg.mime === "string" ? msg.mime : "image/png");
      try {
        const img = new Image();
        img.src = url;
        await img.decode();
        return img;
      } finally {
        URL.revokeObjectURL(url);
      }
    },
    dispose() {
      disposed = true;
      for (const url of urls.values()) URL.revokeObjectURL(url);
      urls.clear();
    },
  };
}

/** "Frame 10 of 81 · 0.56 s" — the service's 1-based number and the time it starts at. */
export function frameLabel(n: number, facts: VideoFacts): string {
  const seconds = (n - 1) / facts.fps;
  return `Frame ${n} of ${facts.frames}${facts.complete ? "" : "+"} · ${seconds.toFixed(2)} s`;
}
