// Synchronised playback of several videos: one transport (play, pause, seek, frame step) for all.
//
// The clock is the "leader": the first member that is playing with data. Followers are nudged back
// by a seek when they drift more than `tolerance` seconds from it (checked every `tickMs`), measured
// around the loop point, since results loop. A seek while playing pauses everyone, seeks everyone,
// and starts them together once each has data at the new time; starting them one by one as their
// seeks finish would leave each a few frames apart. Members can join late (the gallery loads videos
// lazily): a newcomer is put at the clock's time and follows the play state.
//
// Members may differ in length (a 5 s result beside its 3 s source): the longest sets the clock
// and the seek bar, and a shorter one holds its last frame until the clock loops back into its
// range; only the longest members loop by themselves.

/** What the player needs of a video element (HTMLVideoElement fits; tests pass fakes). */
export interface MediaLike {
  currentTime: number;
  readonly duration: number;
  readonly paused: boolean;
  readonly readyState: number;
  readonly seeking: boolean;
  /** Set by the player: only the longest members loop on their own (optional for fakes). */
  loop?: boolean;
  play(): Promise<void> | undefined | void;
  pause(): void;
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

export interface SyncState {
  playing: boolean;
  /** Seconds, the leader's position (or where the transport stands while nothing plays). */
  time: number;
  /** Seconds, NaN until a member knows its duration. */
  duration: number;
}

export interface SyncOptions {
  /** Frames per second of the members, for frame steps. */
  frameRate?: number;
  /** Seconds of drift tolerated before a follower is moved. */
  tolerance?: number;
  tickMs?: number;
  /** How long a seek while playing waits for everyone's data before starting anyway. */
  resumeTimeoutMs?: number;
  onChange?: (state: SyncState) => void;
}

const HAVE_CURRENT_DATA = 2;
const HAVE_FUTURE_DATA = 3;

export class SyncPlayer {
  private readonly members = new Map<MediaLike, () => void>();
  private playing = false;
  private time = 0;
  private duration = Number.NaN;
  private timer: ReturnType<typeof setInterval> | null = null;
  private resumeToken = 0;
  readonly frameRate: number;
  private readonly tolerance: number;
  private readonly tickMs: number;
  private readonly resumeTimeoutMs: number;
  private readonly onChange?: (state: SyncState) => void;

  constructor(options: SyncOptions = {}) {
    this.frameRate = options.frameRate && options.frameRate > 0 ? options.frameRate : 30;
    this.tolerance = options.tolerance ?? 0.06;
    this.tickMs = options.tickMs ?? 100;
    this.resumeTimeoutMs = options.resumeTimeoutMs ?? 1500;
    this.onChange = options.onChange;
  }

  get state(): SyncState {
    return { playing: this.playing, time: this.now(), duration: this.duration };
  }

  get size(): number {
    return this.members.size;
  }

  /** Adds a video; it jumps to the transport's time and follows its play state. */
  add(media: MediaLike): void {
    if (this.members.has(media)) return;
    const onMeta = () => {
      this.learnDuration(media);
      this.align(media);
      if (this.playing) this.start(media);
      this.emit();
    };
    media.addEventListener("loadedmetadata", onMeta);
    this.members.set(media, onMeta);
    if (media.readyState >= 1) onMeta();
  }

  remove(media: MediaLike): void {
    const onMeta = this.members.get(media);
    if (!onMeta) return;
    media.removeEventListener("loadedmetadata", onMeta);
    this.members.delete(media);
  }

  play(): void {
    if (this.playing) return;
    this.playing = true;
    for (const media of this.members.keys()) this.align(media);
    for (const media of this.members.keys()) this.start(media);
    this.startTimer();
    this.emit();
  }

  pause(): void {
    const at = this.now();
    this.playing = false;
    this.resumeToken++;
    this.stopTimer();
    this.time = at;
    for (const media of this.members.keys()) {
      media.pause();
      this.align(media, true); // the exact same frame everywhere
    }
    this.emit();
  }

  toggle(): void {
    if (this.playing) this.pause();
    else this.play();
  }

  /** Moves every member to `seconds`; playback resumes together when all have data there. */
  seek(seconds: number): void {
    const end = Number.isFinite(this.duration) ? Math.max(0, this.duration - 0.001) : seconds;
    this.time = Math.min(Math.max(0, seconds), end);
    const wasPlaying = this.playing;
    const token = ++this.resumeToken;
    for (const media of this.members.keys()) {
      media.pause();
      if (media.readyState >= 1) media.currentTime = this.within(media, this.time);
    }
    this.emit();
    if (wasPlaying) this.resumeWhenReady(token);
  }

  /** Pauses and moves by whole frames (negative: back). */
  step(frames: number): void {
    if (this.playing) this.pause();
    const frame = 1 / this.frameRate;
    // Land in the middle of the frame: a time on a frame boundary may show the previous one.
    const index = Math.round(this.time * this.frameRate) + frames;
    this.seek(Math.max(0, index) * frame + frame / 2);
  }

  destroy(): void {
    this.stopTimer();
    this.resumeToken++;
    for (const media of [...this.members.keys()]) this.remove(media);
  }

  // -- internals --------------------------------------------------------------------------
  /** The longest member that is playing with data: a shorter one stops before the clock does. */
  private leader(): MediaLike | null {
    let best: MediaLike | null = null;
    for (const media of this.members.keys()) {
      if (media.paused || media.seeking || media.readyState < HAVE_CURRENT_DATA) continue;
      if (!best || lengthOf(media) > lengthOf(best)) best = media;
    }
    return best;
  }

  /** Whether the clock's time is past this member's end (it then shows its last frame). */
  private ended(media: MediaLike, at = this.time): boolean {
    const length = lengthOf(media);
    return length > 0 && at >= length - this.halfFrame();
  }

  private halfFrame(): number {
    return 0.5 / this.frameRate;
  }

  /** `at`, or this member's last frame when `at` is past its end. */
  private within(media: MediaLike, at: number): number {
    return this.ended(media, at) ? Math.max(0, lengthOf(media) - this.halfFrame()) : at;
  }

  private now(): number {
    const leader = this.playing ? this.leader() : null;
    if (leader) this.time = leader.currentTime;
    return this.time;
  }

  private learnDuration(media: MediaLike): void {
    if (lengthOf(media) > 0) {
      // The longest member sets the seek bar: a 5 s result compared with its 3 s source is
      // seen to its end, the source holding its last frame meanwhile.
      this.duration = Number.isFinite(this.duration)
        ? Math.max(this.duration, media.duration)
        : media.duration;
    }
    for (const member of this.members.keys()) {
      // A shorter member looping by itself would jump back to its start mid-clock.
      if ("loop" in member) member.loop = lengthOf(member) >= this.duration - this.halfFrame();
    }
  }

  private drift(a: number, b: number): number {
    const d = Math.abs(a - b);
    return Number.isFinite(this.duration) ? Math.min(d, Math.abs(this.duration - d)) : d;
  }

  private align(media: MediaLike, exact = false): void {
    if (media.readyState < 1) return;
    const at = this.within(media, this.time);
    if (exact || this.drift(media.currentTime, at) > this.tolerance) media.currentTime = at;
  }

  private start(media: MediaLike): void {
    if (media.readyState < 1 || this.ended(media)) return;
    const started = media.play();
    // Autoplay policies or a detached element reject play(); the transport simply stays as is.
    if (started && typeof started.catch === "function") started.catch(() => {});
  }

  private resumeWhenReady(token: number): void {
    const deadline = Date.now() + this.resumeTimeoutMs;
    const check = () => {
      if (token !== this.resumeToken || !this.playing) return;
      const ready = [...this.members.keys()].every(
        (m) => m.readyState < 1 || (!m.seeking && m.readyState >= HAVE_FUTURE_DATA),
      );
      if (!ready && Date.now() < deadline) {
        setTimeout(check, 20);
        return;
      }
      for (const media of this.members.keys()) this.start(media);
      this.emit();
    };
    check();
  }

  private startTimer(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => this.tick(), this.tickMs);
  }

  private stopTimer(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private tick(): void {
    const leader = this.leader();
    if (leader) {
      this.time = leader.currentTime;
      for (const media of this.members.keys()) {
        if (media === leader || media.seeking || media.readyState < 1) continue;
        if (this.ended(media)) {
          // Past its end: hold the last frame until the clock loops back.
          if (!media.paused) media.pause();
          this.align(media);
          continue;
        }
        if (this.drift(media.currentTime, this.time) > this.tolerance) {
          media.currentTime = this.time;
        }
        if (media.paused) this.start(media);
      }
    }
    this.emit();
  }

  private emit(): void {
    this.onChange?.(this.state);
  }
}

/** A member's length in seconds, 0 while unknown. */
function lengthOf(media: MediaLike): number {
  return Number.isFinite(media.duration) && media.duration > 0 ? media.duration : 0;
}
