// Files from the kernel, chunk by chunk: result and source videos (`video`), exported zips
// (`file`). Every answer is `{size, offset, last, etag, mime}` plus one buffer of < 4 MiB
// (widget/videos.py); the browser asks again from the next offset until `last`.

import type { Channel } from "../messages";

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
