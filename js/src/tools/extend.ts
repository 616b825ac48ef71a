// "Extend this result": the kernel cuts the result's last seconds (at most a clip's 3 s) into the
// inputs folder, and the video extension form opens with that clip as its first clip and the
// result's prompt, ready to submit.

import { nameReference } from "../form/controls/media";
import type { Channel } from "../messages";
import type { TaskCard } from "../traits";

export const EXTENSION = "video_extension";
const FIRST_CLIP = "first_clip_url";

export async function extendResult(
  channel: Channel,
  card: TaskCard,
  open: (fn: string, request: Record<string, unknown>) => void,
): Promise<string> {
  const { msg } = await channel.request(
    "extend",
    { local_id: card.local_id },
    { timeoutMs: 120_000 },
  );
  const ref = String(msg.ref);
  if (typeof msg.name === "string") nameReference(ref, msg.name);
  const request: Record<string, unknown> = { [FIRST_CLIP]: ref };
  if (typeof msg.prompt === "string" && msg.prompt) request.prompt = msg.prompt;
  open(EXTENSION, request);
  return `Video extension opened with the last ${Number(msg.seconds).toFixed(1)} s as its first clip.`;
}
