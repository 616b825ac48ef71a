// How bytes cross the comm: binary buffers where the host keeps them, base64 text where not.
//
// JupyterLab, Notebook 7 and VS Code carry the binary `buffers` of a custom message; Colab's
// widget manager drops them (googlecolab/colab-cdn-widget-manager#33) and marimo has delivered
// them re-encoded (marimo-team/marimo#2366, #5261). So a view starts with a probe: `{kind:
// "probe"}` plus a buffer holding every byte value once, answered `{up}` (did it arrive intact?)
// plus the same bytes back. If either direction fails, the view switches to *text*: each request
// is marked `wire: "b64"` and carries its bytes as `b64: [base64 strings]`; the kernel answers
// such requests the same way (src/vace_studio/widget/comm_transport.py). Payloads are then kept
// under TEXT_BUFFER_BYTES per message (uploads are cut that small, the kernel cuts its chunks).
//
// This module is the only one in the front end that knows which transport is in use; the
// channel (messages.ts) asks it to send and to unpack, and callers ask only `maxBufferBytes`.

import type { AnyModel } from "@anywidget/types";

export type TransportMode = "binary" | "text";

export interface TransportInfo {
  mode: TransportMode;
  /** Round trip of the probe, in milliseconds (NaN when it got no answer). */
  probeMs: number;
  /** Why text was chosen, in words ("" for binary). */
  reason: string;
}

export type RawBuffer = ArrayBuffer | ArrayBufferView;
type Content = Record<string, unknown>;
export type TransportModel = Pick<AnyModel, "send" | "on" | "off">;

export interface CommTransport {
  /** Sends one message (after the probe has settled); `onError` hears a failed send. */
  send(content: Content, buffers: DataView[], onError: (error: unknown) => void): void;
  /** An incoming message with a `b64` list turned back into buffers. */
  unpack(msg: Content, buffers: unknown[]): { msg: Content; buffers: unknown[] };
  /** Most bytes one message should carry on this transport. */
  readonly maxBufferBytes: number;
  readonly mode: TransportMode;
  /** Settles once the probe has answered (or timed out); binary transports are ready at once. */
  readonly ready: Promise<TransportInfo>;
  dispose(): void;
}

export const BINARY_BUFFER_BYTES = 4 * 1024 * 1024;
/** 1 MiB of bytes is 1.4 MB of base64: under every host's per-message limit we know of. */
export const TEXT_BUFFER_BYTES = 1024 * 1024;
export const PROBE_TIMEOUT_MS = 15_000;
const TEXT = "b64";

export const PROBE = Uint8Array.from({ length: 256 }, (_, i) => i);

function bytesOf(buffer: RawBuffer): Uint8Array {
  if (buffer instanceof ArrayBuffer) return new Uint8Array(buffer);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

export function toBase64(buffer: RawBuffer): string {
  const bytes = bytesOf(buffer);
  let text = "";
  // In slices: String.fromCharCode(...a million bytes) overflows the call stack.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

export function fromBase64(text: string): DataView {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new DataView(bytes.buffer);
}

/** Whether `buffer` is a binary buffer holding exactly PROBE (a string or a mangled copy is not). */
export function isProbe(buffer: unknown): boolean {
  if (!(buffer instanceof ArrayBuffer || ArrayBuffer.isView(buffer))) return false;
  const bytes = bytesOf(buffer);
  return bytes.length === PROBE.length && bytes.every((b, i) => b === PROBE[i]);
}

function unpack(msg: Content, buffers: unknown[]): { msg: Content; buffers: unknown[] } {
  const parts = msg.b64;
  if (!Array.isArray(parts) || !parts.every((p) => typeof p === "string")) return { msg, buffers };
  const { b64: _dropped, ...rest } = msg;
  return { msg: rest, buffers: parts.map(fromBase64) };
}

/** Binary buffers, no probe: what tests and known-good hosts use. */
export function binaryTransport(model: TransportModel): CommTransport {
  const info: TransportInfo = { mode: "binary", probeMs: 0, reason: "" };
  return {
    send(content, buffers, onError) {
      try {
        // anywidget's signature is send(content, callbacks, buffers).
        model.send(content, undefined, buffers);
      } catch (error) {
        onError(error);
      }
    },
    unpack,
    maxBufferBytes: BINARY_BUFFER_BYTES,
    mode: "binary",
    ready: Promise.resolve(info),
    dispose() {},
  };
}

function randomId(): string {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === "function") return c.randomUUID().slice(0, 8);
  return Math.random().toString(36).slice(2, 10);
}

/**
 * Probes the comm, then sends binary or text. Messages sent before the probe settles wait for
 * it (a round trip: a few milliseconds when the kernel is idle).
 */
export function negotiateTransport(
  model: TransportModel,
  options: { timeoutMs?: number } = {},
): CommTransport {
  let mode: TransportMode = "binary";
  let settled = false;
  const queue: (() => void)[] = [];
  const id = `probe-${randomId()}`;
  const started = performance.now();
  let settle: (info: TransportInfo) => void = () => {};
  const ready = new Promise<TransportInfo>((resolve) => {
    settle = resolve;
  });

  const finish = (info: TransportInfo) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    model.off("msg:custom", onAnswer);
    mode = info.mode;
    settle(info);
    for (const send of queue.splice(0)) send();
  };
  const onAnswer = (msg: unknown, buffers?: unknown[]) => {
    if (typeof msg !== "object" || msg === null || (msg as Content).id !== id) return;
    const probeMs = performance.now() - started;
    // A kernel that does not know the probe (an older package) cannot read text either.
    if ((msg as Content).ok === false) return finish({ mode: "binary", probeMs, reason: "" });
    const up = (msg as Content).up === true;
    const down = (buffers ?? []).length === 1 && isProbe((buffers ?? [])[0]);
    if (up && down) return finish({ mode: "binary", probeMs, reason: "" });
    const lost = !up && !down ? "either way" : up ? "kernel → browser" : "browser → kernel";
    finish({
      mode: "text",
      probeMs,
      reason: `this notebook does not carry binary messages intact (${lost})`,
    });
  };
  const timer = setTimeout(
    () => finish({ mode: "binary", probeMs: Number.NaN, reason: "" }),
    options.timeoutMs ?? PROBE_TIMEOUT_MS,
  );
  model.on("msg:custom", onAnswer);
  try {
    model.send({ id, kind: "probe" }, undefined, [new DataView(PROBE.slice().buffer)]);
  } catch {
    // A host whose send refuses binary buffers outright: text is the way that can work.
    finish({ mode: "text", probeMs: Number.NaN, reason: "this notebook refused a binary message" });
  }

  const sendNow = (content: Content, buffers: DataView[], onError: (e: unknown) => void) => {
    try {
      if (mode === "text") {
        const b64 = buffers.map(toBase64);
        model.send({ ...content, wire: TEXT, b64 }, undefined, []);
      } else {
        model.send(content, undefined, buffers);
      }
    } catch (error) {
      onError(error);
    }
  };
  return {
    send(content, buffers, onError) {
      if (settled) sendNow(content, buffers, onError);
      else queue.push(() => sendNow(content, buffers, onError));
    },
    unpack,
    get maxBufferBytes() {
      return mode === "text" ? TEXT_BUFFER_BYTES : BINARY_BUFFER_BYTES;
    },
    get mode() {
      return mode;
    },
    ready,
    dispose() {
      clearTimeout(timer);
      model.off("msg:custom", onAnswer);
      queue.length = 0;
    },
  };
}
