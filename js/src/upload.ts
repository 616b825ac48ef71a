// Sends a local file to the kernel in chunks (of at most the channel's maxBufferBytes: smaller
// when the host needs bytes as text, see comm-transport.ts). Jupyter's websocket (tornado) closes the connection on
// any incoming message over 10 MiB (`websocket_max_message_size`), and the API accepts videos up to
// 50 MB, so one file becomes several "upload" requests, each acknowledged before the next is sent
// (that acknowledgement is also the flow control).
//
// Each request: {kind: "upload", upload, field, index, name, type, size, offset, last} + 1 buffer.
// The kernel answers {ok: true} to each chunk, and {ok: true, ref} to the last one, where `ref` is the
// reference to put in the request (e.g. the saved file's path on the kernel's machine).

import type { Channel } from "./messages";

export const CHUNK_BYTES = 4 * 1024 * 1024;
const CHUNK_TIMEOUT_MS = 60_000;

let uploadCounter = 0;

export async function uploadFile(
  channel: Channel,
  field: string,
  index: number,
  file: Blob & { name?: string },
  chunkBytes = CHUNK_BYTES,
): Promise<string> {
  const upload = `u${Date.now().toString(36)}${++uploadCounter}`;
  await channel.ready; // the transport decides how large a message may be
  const step = Math.min(chunkBytes, channel.maxBufferBytes);
  const name = file.name ?? "upload";
  const size = file.size;
  for (let offset = 0; ; ) {
    const end = Math.min(offset + step, size);
    const chunk = await file.slice(offset, end).arrayBuffer();
    const last = end >= size;
    const { msg } = await channel.request(
      "upload",
      { upload, field, index, name, type: file.type, size, offset, last },
      { buffers: [chunk], timeoutMs: CHUNK_TIMEOUT_MS },
    );
    if (last) {
      if (typeof msg.ref !== "string" || msg.ref === "") {
        throw new Error("the kernel accepted the file but sent back no reference");
      }
      return msg.ref;
    }
    offset = end;
  }
}
