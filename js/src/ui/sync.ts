// Synchronised playback of several videos: one transport (play, pause, seek, frame step) for all.
//
// The clock is the "leader": the first member that is playing with data. Followers are nudged back
// by a seek when they drift more than `tolerance` seconds from it (checked every `tickMs`), measured
// around the loop point, since results loop. A seek while playing pauses everyone, seeks everyone,
// and starts them together once each has data at the new time; starting them one by one as their
// seeks finish would leave each a few frames apart. Members can join late (the gallery loads videos
// lazily): a newcomer is put at the clock's time and follows the play state.

/** What the player needs of a video element (HTMLVideoElement fits; tests pass fakes). */
export interface MediaLike {
  currentTime: number;
  readonly duration: number;
  readonly paused: boolean;
  readonly readyState: number;
  readonly seeking: boolean;
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
      if (media.readyState >= 1) media.currentTime = this.time;
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
  private leader(): MediaLike | null {
    for (const media of this.members.keys()) {
      if (!media.paused && !media.seeking && media.readyState >= HAVE_CURRENT_DATA) return media;
    }
    return null;
  }

  private now(): number {
    const leader = this.playing ? this.leader() : null;
    if (leader) this.time = leader.currentTime;
    return this.time;
  }

  private learnDuration(media: MediaLike): void {
    if (Number.isFinite(media.duration) && media.duration > 0) {
      // The shortest member bounds the seek bar: beyond it, that one would show its last frame.
      this.duration = Number.isFinite(this.duration)
        ? Math.min(this.duration, media.duration)
        : media.duration;
    }
  }

  private drift(a: number, b: number): number {
    const d = Math.abs(a - b);
    return Number.isFinite(this.duration) ? Math.min(d, Math.abs(this.duration - d)) : d;
  }

  private align(media: MediaLike, exact = false): void {
    if (media.readyState < 1) return;
    const at = this.time;
    if (exact || this.drift(media.currentTime, at) > this.tolerance) media.currentTime = at;
  }

  private start(media: MediaLike): void {
    if (media.readyState < 1) return;
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
