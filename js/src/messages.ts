// Request/response over anywidget custom messages, correlated by id (the pattern quak uses).
//
// Wire protocol (every kind, payload, answer and error code: docs/protocol.md; the kernel side is
// src/vace_studio/widget/commands.py):
//   request  JS → Python   content {id, kind, ...payload}, optional binary buffers
//   answer   Python → JS   content {id, ok: true, ...data}  or  {id, ok: false, error, errors?, code?}
//                          with optional buffers; `id` copied from the request
//   push     Python → JS   content {kind, ...} without `id` (unsolicited updates)
// Every request settles exactly once: with its answer, a RequestError, or a timeout, so no promise
// hangs when the kernel is busy, restarted or simply does not know the kind.
// Custom messages reach every view of a model, so ids carry a per-channel random prefix: one view
// never takes another view's answer.

import type { AnyModel } from "@anywidget/types";
import { binaryTransport, type CommTransport, type TransportInfo } from "./comm-transport";

export type OutgoingBuffer = ArrayBuffer | ArrayBufferView;
export type Message = Record<string, unknown>;

export interface Answer<T extends Message = Message> {
  msg: T;
  /** Binary parts of the answer, always as DataViews (anywidget may deliver ArrayBuffers). */
  buffers: DataView[];
}

export interface RequestOptions {
  buffers?: OutgoingBuffer[];
  /** Overrides the channel's default; uploads and video fetches need longer than a submit. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export type FailureReason = "error" | "timeout" | "aborted" | "closed";

export class RequestError extends Error {
  override name = "RequestError";
  constructor(
    message: string,
    readonly kind: string,
    readonly id: string,
    readonly reason: FailureReason,
    /** Per-field messages from the kernel (pydantic errors), for FormHandle.setErrors. */
    readonly errors: Record<string, string> = {},
    /** A provider's or the kernel's error code, verbatim. */
    readonly code?: string,
    /** The whole answer, for kind-specific details (e.g. `problems` with their fix helpers). */
    readonly detail: Message = {},
  ) {
    super(message);
  }
}

export type ChannelModel = Pick<AnyModel, "send" | "on" | "off">;
export type PushHandler = (msg: Message, buffers: DataView[]) => void;

export interface Channel {
  request<T extends Message = Message>(
    kind: string,
    payload?: Message,
    options?: RequestOptions,
  ): Promise<Answer<T>>;
  /** Listens for unsolicited messages of one kind; returns the unsubscribe function. */
  onPush(kind: string, handler: PushHandler): () => void;
  /** Requests still waiting for an answer. */
  readonly pending: number;
  /** Most bytes one request or answer should carry (callers cut files into chunks of this). */
  readonly maxBufferBytes: number;
  /** Settles when the transport is known (comm-transport.ts); requests made before it wait. */
  readonly ready: Promise<TransportInfo>;
  /** Stops listening and rejects whatever is still pending (call it in the view's cleanup). */
  dispose(): void;
}

export interface ChannelOptions {
  timeoutMs?: number;
  idPrefix?: string;
  /** How bytes travel; binary buffers without a probe by default (the widget negotiates). */
  transport?: CommTransport;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

const isObject = (v: unknown): v is Message =>
  typeof v === "object" && v !== null && !Array.isArray(v);

export function toDataView(buffer: unknown): DataView {
  if (buffer instanceof DataView) return buffer;
  if (buffer instanceof ArrayBuffer) return new DataView(buffer);
  if (ArrayBuffer.isView(buffer))
    return new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  throw new TypeError(`not a binary buffer: ${Object.prototype.toString.call(buffer)}`);
}

function randomPrefix(): string {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === "function") return c.randomUUID().slice(0, 8);
  return Math.random().toString(36).slice(2, 10);
}

interface Pending {
  kind: string;
  resolve(answer: Answer): void;
  reject(error: RequestError): void;
  cleanup(): void;
}

export function createChannel(model: ChannelModel, options: ChannelOptions = {}): Channel {
  const defaultTimeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const prefix = options.idPrefix ?? randomPrefix();
  const transport = options.transport ?? binaryTransport(model);
  const pending = new Map<string, Pending>();
  const pushHandlers = new Map<string, Set<PushHandler>>();
  let counter = 0;
  let closed = false;

  const onMessage = (raw: unknown, rawBuffers?: unknown[]) => {
    if (!isObject(raw)) return;
    const unpacked = transport.unpack(raw, rawBuffers ?? []);
    const msg = unpacked.msg;
    let buffers: DataView[];
    try {
      buffers = unpacked.buffers.map(toDataView);
    } catch {
      buffers = []; // a host that turned buffers into something else: the probe catches it
    }
    if (typeof msg.id === "string") {
      // Unknown ids are other views' answers or answers that arrived after their timeout.
      const entry = pending.get(msg.id);
      if (!entry) return;
      pending.delete(msg.id);
      entry.cleanup();
      const failed = msg.ok === false || (msg.ok !== true && msg.error !== undefined);
      if (!failed) return entry.resolve({ msg, buffers });
      const errors = isObject(msg.errors)
        ? Object.fromEntries(Object.entries(msg.errors).map(([k, v]) => [k, String(v)]))
        : {};
      const text = typeof msg.error === "string" ? msg.error : `${entry.kind} failed`;
      const code = typeof msg.code === "string" ? msg.code : undefined;
      return entry.reject(new RequestError(text, entry.kind, msg.id, "error", errors, code, msg));
    }
    if (typeof msg.kind === "string") {
      for (const handler of pushHandlers.get(msg.kind) ?? []) handler(msg, buffers);
    }
  };
  model.on("msg:custom", onMessage);

  return {
    request<T extends Message = Message>(
      kind: string,
      payload: Message = {},
      opts: RequestOptions = {},
    ) {
      const id = `${prefix}-${++counter}`;
      return new Promise<Answer<T>>((resolve, reject) => {
        if (closed) {
          reject(new RequestError(`${kind}: the widget view was closed`, kind, id, "closed"));
          return;
        }
        if (opts.signal?.aborted) {
          reject(new RequestError(`${kind}: aborted`, kind, id, "aborted"));
          return;
        }
        const timeoutMs = opts.timeoutMs ?? defaultTimeout;
        const timer = setTimeout(() => {
          pending.delete(id);
          cleanup();
          const seconds = Math.round(timeoutMs / 100) / 10;
          reject(
            new RequestError(
              `${kind}: no answer from the kernel within ${seconds} s (is it busy or restarted?)`,
              kind,
              id,
              "timeout",
            ),
          );
        }, timeoutMs);
        const onAbort = () => {
          pending.delete(id);
          cleanup();
          reject(new RequestError(`${kind}: aborted`, kind, id, "aborted"));
        };
        const cleanup = () => {
          clearTimeout(timer);
          opts.signal?.removeEventListener("abort", onAbort);
        };
        opts.signal?.addEventListener("abort", onAbort, { once: true });
        pending.set(id, {
          kind,
          resolve: resolve as (answer: Answer) => void,
          reject,
          cleanup,
        });
        transport.send({ ...payload, id, kind }, (opts.buffers ?? []).map(toDataView), (error) => {
          if (!pending.delete(id)) return;
          cleanup();
          const reason = error instanceof Error ? error.message : String(error);
          reject(new RequestError(`${kind}: could not send (${reason})`, kind, id, "error"));
        });
      });
    },
    onPush(kind, handler) {
      let set = pushHandlers.get(kind);
      if (!set) {
        set = new Set();
        pushHandlers.set(kind, set);
      }
      set.add(handler);
      return () => set.delete(handler);
    },
    get pending() {
      return pending.size;
    },
    get maxBufferBytes() {
      return transport.maxBufferBytes;
    },
    ready: transport.ready,
    dispose() {
      if (closed) return;
      closed = true;
      model.off("msg:custom", onMessage);
      transport.dispose();
      for (const [id, entry] of pending) {
        entry.cleanup();
        entry.reject(
          new RequestError(`${entry.kind}: the widget view was closed`, entry.kind, id, "closed"),
        );
      }
      pending.clear();
      pushHandlers.clear();
    },
  };
}
