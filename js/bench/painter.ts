// Entry of benchmarks/bench_painter.py: the mask painter alone on a page, over a 1280×720 frame,
// recording how long each animation frame's work takes. Built by the benchmark with esbuild.

import { createPainter } from "../src/tools/painter";

interface Bench {
  strokes: number[];
  growths: number[];
  intervals: number[];
  recording: boolean;
}

declare global {
  interface Window {
    bench: Bench;
    startPainter(width: number, height: number): void;
  }
}

window.startPainter = (width: number, height: number) => {
  const bench: Bench = { strokes: [], growths: [], intervals: [], recording: false };
  window.bench = bench;
  const frame = document.createElement("canvas");
  frame.width = width;
  frame.height = height;
  const ctx = frame.getContext("2d");
  if (ctx) {
    const gradient = ctx.createLinearGradient(0, 0, width, height);
    gradient.addColorStop(0, "#203060");
    gradient.addColorStop(1, "#c08040");
    ctx.fillStyle = gradient;
    ctx.fillRect(0, 0, width, height);
  }
  const painter = createPainter({
    width,
    height,
    background: frame,
    growth: () => ({ ratio: 0.05, mode: "hull" }),
    caption: `a ${width}×${height} frame`,
    idPrefix: "bench",
    onSave: async () => undefined,
    onClose: () => undefined,
    onFrame(ms, kind) {
      if (!bench.recording) return;
      (kind === "stroke" ? bench.strokes : bench.growths).push(ms);
    },
  });
  document.body.append(painter.el);
  // Frame-to-frame intervals while recording: what the person sees (the browser's own
  // rendering and compositing included; 16.7 ms is one frame at 60 Hz).
  let last = 0;
  const tick = (now: number) => {
    if (bench.recording && last > 0) bench.intervals.push(now - last);
    last = now;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
};
