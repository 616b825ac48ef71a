import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type MediaLike, SyncPlayer, type SyncState } from "../src/ui/sync";
import { last } from "./helpers";

/** A video element stand-in that plays when told and advances when the test says so. */
class FakeMedia implements MediaLike {
  currentTime = 0;
  paused = true;
  seeking = false;
  readyState: number;
  duration: number;
  plays = 0;
  private listeners = new Map<string, Set<() => void>>();
  constructor(duration = 5, readyState = 4) {
    this.duration = duration;
    this.readyState = readyState;
  }
  play() {
    this.paused = false;
    this.plays++;
    return Promise.resolve();
  }
  pause() {
    this.paused = true;
  }
  addEventListener(type: string, fn: () => void) {
    const set = this.listeners.get(type) ?? new Set();
    set.add(fn);
    this.listeners.set(type, set);
  }
  removeEventListener(type: string, fn: () => void) {
    this.listeners.get(type)?.delete(fn);
  }
  fire(type: string) {
    for (const fn of this.listeners.get(type) ?? []) fn();
  }
  /** Plays `seconds` of video (looping), as the browser would. */
  advance(seconds: number) {
    if (!this.paused) this.currentTime = (this.currentTime + seconds) % this.duration;
  }
}

let states: SyncState[];
beforeEach(() => {
  vi.useFakeTimers();
  states = [];
});
afterEach(() => vi.useRealTimers());

const player = () =>
  new SyncPlayer({ frameRate: 30, tolerance: 0.06, tickMs: 100, onChange: (s) => states.push(s) });

describe("synchronised playback", () => {
  it("plays, pauses and seeks every member together", () => {
    const p = player();
    const a = new FakeMedia();
    const b = new FakeMedia();
    p.add(a);
    p.add(b);
    p.play();
    expect([a.paused, b.paused]).toEqual([false, false]);
    a.advance(1);
    b.advance(1);
    p.pause();
    expect([a.paused, b.paused]).toEqual([true, true]);
    expect(b.currentTime).toBe(a.currentTime);
    p.seek(2.5);
    expect([a.currentTime, b.currentTime]).toEqual([2.5, 2.5]);
    expect(last(states)).toMatchObject({ playing: false, time: 2.5, duration: 5 });
  });

  it("brings a drifting follower back to the leader, but not across the loop point", () => {
    const p = player();
    const leader = new FakeMedia();
    const follower = new FakeMedia();
    p.add(leader);
    p.add(follower);
    p.play();
    leader.advance(1.0);
    follower.advance(0.8); // 0.2 s behind
    vi.advanceTimersByTime(100);
    expect(follower.currentTime).toBeCloseTo(1.0);
    leader.currentTime = 0.01; // the leader just looped
    follower.currentTime = 4.98; // the follower is about to
    vi.advanceTimersByTime(100);
    expect(follower.currentTime).toBe(4.98);
  });

  it("after a seek while playing, starts everyone together once all have data", () => {
    const p = player();
    const a = new FakeMedia();
    const b = new FakeMedia();
    p.add(a);
    p.add(b);
    p.play();
    b.seeking = true; // b takes a while to get to the new position
    p.seek(3);
    expect([a.paused, b.paused]).toEqual([true, true]);
    vi.advanceTimersByTime(60);
    expect(a.paused).toBe(true); // nobody starts alone
    b.seeking = false;
    vi.advanceTimersByTime(20);
    expect([a.paused, b.paused]).toEqual([false, false]);
    expect([a.currentTime, b.currentTime]).toEqual([3, 3]);
  });

  it("steps by whole frames, to the middle of the frame, on every member", () => {
    const p = player();
    const a = new FakeMedia();
    const b = new FakeMedia();
    p.add(a);
    p.add(b);
    p.seek(1); // frame 30
    p.step(1);
    expect(a.currentTime).toBeCloseTo(31 / 30 + 1 / 60);
    expect(b.currentTime).toBe(a.currentTime);
    p.step(-2);
    expect(a.currentTime).toBeCloseTo(29 / 30 + 1 / 60);
  });

  it("puts a late member at the transport's time and play state", () => {
    const p = player();
    const a = new FakeMedia();
    p.add(a);
    p.seek(1.5);
    p.play();
    const late = new FakeMedia(4, 0); // no metadata yet
    p.add(late);
    expect(late.paused).toBe(true);
    late.readyState = 4;
    late.fire("loadedmetadata");
    expect(late.currentTime).toBe(1.5);
    expect(late.paused).toBe(false);
    expect(p.state.duration).toBe(5); // the longest member sets the seek bar
    p.remove(late);
    expect(p.size).toBe(1);
    p.destroy();
    expect(p.size).toBe(0);
  });

  it("runs to the longer member's end; the shorter one holds its last frame, then loops back", () => {
    const p = player();
    const result = Object.assign(new FakeMedia(5), { loop: true });
    const source = Object.assign(new FakeMedia(3), { loop: true });
    p.add(source); // the shorter one first: it must not bound the clock
    p.add(result);
    expect(p.state.duration).toBe(5); // "x / 5.00 s", not "x / 3.00 s"
    expect([result.loop, source.loop]).toEqual([true, false]);
    p.seek(4);
    expect(result.currentTime).toBe(4);
    expect(source.currentTime).toBeCloseTo(3 - 1 / 60); // its last frame
    p.play();
    expect(source.paused).toBe(true); // nothing left to play at 4 s
    expect(result.paused).toBe(false);
    result.advance(0.5);
    vi.advanceTimersByTime(100);
    expect(last(states)?.time).toBeCloseTo(4.5); // the clock is the longer one
    expect(source.paused).toBe(true);
    result.advance(0.6); // the result loops: 0.1 s
    vi.advanceTimersByTime(100);
    expect(source.paused).toBe(false); // back in range: it plays again, in step
    expect(source.currentTime).toBeCloseTo(0.1);
  });
});

describe("the A/B view's length note", () => {
  it("says which side is shorter and that it holds its last frame", async () => {
    const { lengthNote } = await import("../src/ui/compare");
    expect(lengthNote(5, 3)).toBe("B is 3.00 s, A 5.00 s: B holds its last frame after its end.");
    expect(lengthNote(5, 5.01)).toBe(""); // within a frame: alike
    expect(lengthNote(Number.NaN, 3)).toBe(""); // not known yet
  });
});
