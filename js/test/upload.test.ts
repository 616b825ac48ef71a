import { expect, it } from "vitest";
import { createChannel } from "../src/messages";
import { uploadFile } from "../src/upload";
import { FakeModel, flush } from "./helpers";

it("sends a file in acknowledged chunks and returns the kernel's reference", async () => {
  const model = new FakeModel({});
  const channel = createChannel(model, { idPrefix: "t" });
  const file = new File([new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])], "clip.mp4", {
    type: "video/mp4",
  });
  const done = uploadFile(channel, "video_url", 0, file, 4);
  const seen: unknown[] = [];
  for (let i = 1; i <= 3; i++) {
    await flush();
    const { content, buffers } = model.lastSent();
    const chunk = buffers[0] as DataView;
    seen.push([
      content.offset,
      content.last,
      chunk.byteLength,
      new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)[0],
    ]);
    expect(content).toMatchObject({
      kind: "upload",
      field: "video_url",
      index: 0,
      name: "clip.mp4",
      type: "video/mp4",
      size: 10,
    });
    model.reply(
      i < 3 ? { id: content.id, ok: true } : { id: content.id, ok: true, ref: "/k/clip.mp4" },
    );
  }
  expect(await done).toBe("/k/clip.mp4");
  expect(seen).toEqual([
    [0, false, 4, 0],
    [4, false, 4, 4],
    [8, true, 2, 8],
  ]);
  // One upload id for all chunks, so the kernel can reassemble them.
  expect(new Set(model.sent.map((s) => s.content.upload)).size).toBe(1);
});

it("fails clearly when the kernel answers without a reference", async () => {
  const model = new FakeModel({});
  const channel = createChannel(model, { idPrefix: "t" });
  const done = uploadFile(channel, "f", 0, new File([], "empty.png", { type: "image/png" }));
  await flush();
  model.reply({ id: "t-1", ok: true });
  await expect(done).rejects.toThrow(/no reference/);
});
