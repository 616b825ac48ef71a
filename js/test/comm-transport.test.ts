import { describe, expect, it } from "vitest";
import {
  fromBase64,
  negotiateTransport,
  PROBE,
  TEXT_BUFFER_BYTES,
  toBase64,
} from "../src/comm-transport";
import { createChannel } from "../src/messages";
import { uploadFile } from "../src/upload";
import { FakeModel } from "./helpers";

const probeBytes = () => new DataView(PROBE.slice().buffer);

function probed(model: FakeModel<Record<string, unknown>>) {
  const transport = negotiateTransport(model);
  const probe = model.sent.shift();
  expect(probe?.content.kind).toBe("probe");
  expect(probe?.buffers).toHaveLength(1);
  return { transport, id: probe?.content.id };
}

describe("negotiateTransport", () => {
  it("stays binary when the probe's bytes arrive intact both ways", async () => {
    const model = new FakeModel({});
    const { transport, id } = probed(model);
    const channel = createChannel(model, { transport, idPrefix: "t" });
    void channel.request("hello").catch(() => {});
    expect(model.sent).toHaveLength(0); // waits for the probe
    model.reply({ id, ok: true, up: true }, [probeBytes()]);
    expect((await channel.ready).mode).toBe("binary");
    expect(model.sent[0]?.content).toMatchObject({ kind: "hello", id: "t-1" });
    expect(model.sent[0]?.content.wire).toBeUndefined();
    expect(channel.maxBufferBytes).toBe(4 * 1024 * 1024);
    expect(model.listeners("msg:custom")).toBe(1); // the probe's listener is gone
    channel.dispose();
  });

  it("switches to base64 text when buffers are dropped, both ways", async () => {
    const model = new FakeModel({});
    const { transport, id } = probed(model);
    const channel = createChannel(model, { transport, idPrefix: "t" });
    model.reply({ id, ok: true, up: false }, []); // Colab: no buffers at all
    const info = await channel.ready;
    expect(info).toMatchObject({ mode: "text" });
    expect(info.reason).toContain("either way");
    expect(channel.maxBufferBytes).toBe(TEXT_BUFFER_BYTES);

    const answer = channel.request("video", { local_id: "a" });
    const sent = model.lastSent();
    expect(sent.content).toMatchObject({ kind: "video", wire: "b64", b64: [] });
    expect(sent.buffers).toEqual([]);
    model.reply({ id: sent.content.id, ok: true, last: true, b64: [toBase64(PROBE)] });
    const { msg, buffers } = await answer;
    expect(msg.b64).toBeUndefined();
    expect(new Uint8Array(buffers[0]?.buffer as ArrayBuffer)).toEqual(PROBE);
    channel.dispose();
  });

  it("chooses text when only the kernel's answer comes back mangled (a string)", async () => {
    const model = new FakeModel({});
    const { transport, id } = probed(model);
    model.reply({ id, ok: true, up: true }, [toBase64(PROBE)]);
    expect(await transport.ready).toMatchObject({ mode: "text" });
  });

  it("uploads in chunks the text transport can carry, each as base64", async () => {
    const model = new FakeModel({});
    const { transport, id } = probed(model);
    const channel = createChannel(model, { transport, idPrefix: "u" });
    model.reply({ id, ok: true, up: false }, []);
    const size = TEXT_BUFFER_BYTES * 2 + 10;
    const file = Object.assign(new Blob([new Uint8Array(size).fill(7)]), { name: "a.mp4" });
    const done = uploadFile(channel, "video_url", 0, file);
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 0));
      await new Promise((r) => setTimeout(r, 0));
      const sent = model.lastSent();
      const part = fromBase64(String((sent.content.b64 as string[])[0]));
      expect(part.byteLength).toBe(i < 2 ? TEXT_BUFFER_BYTES : 10);
      model.reply({ id: sent.content.id, ok: true, ...(i === 2 ? { ref: "/k/a.mp4" } : {}) });
    }
    expect(await done).toBe("/k/a.mp4");
    channel.dispose();
  });

  it("stays binary when the kernel does not know the probe", async () => {
    const model = new FakeModel({});
    const { transport, id } = probed(model);
    model.reply({ id, ok: false, code: "unknown_kind", error: "unknown message kind 'probe'" });
    expect(await transport.ready).toMatchObject({ mode: "binary" });
  });

  it("falls back to binary when the probe gets no answer", async () => {
    const model = new FakeModel({});
    const transport = negotiateTransport(model, { timeoutMs: 5 });
    expect(await transport.ready).toMatchObject({ mode: "binary" });
  });
});
