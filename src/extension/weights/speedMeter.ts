// Download speed averaged over a short sliding window, so the figure follows the link's
// current rate (a resumed download would otherwise count the bytes it already had).

export class SpeedMeter {
  private samples: { t: number; bytes: number }[] = [];

  constructor(private readonly windowMs = 3000, private readonly now: () => number = () => performance.now()) {}

  /** Records the running byte count; returns bytes per second over the window (0 until two samples). */
  update(bytes: number): number {
    const t = this.now();
    this.samples.push({ t, bytes });
    while (this.samples.length > 2 && t - this.samples[1].t >= this.windowMs) this.samples.shift();
    const first = this.samples[0];
    const dt = (t - first.t) / 1000;
    return dt > 0 ? Math.max(0, (bytes - first.bytes) / dt) : 0;
  }
}
