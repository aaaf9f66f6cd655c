// Measures how long the extension host's event loop is held up (a blocked host freezes every
// extension), so tests can check that classification and training stay in the engine process.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

export interface EventLoopStats {
  /** how late the loop ran, in milliseconds, since the last reset (0 = on time) */
  p50: number;
  p99: number;
  max: number;
  mean: number;
  /** how many samples the figures rest on */
  samples: number;
  sinceMs: number;
}

export class EventLoopMonitor {
  private readonly histogram: IntervalHistogram;
  private since = performance.now();

  constructor(private readonly resolutionMs = 10) {
    this.histogram = monitorEventLoopDelay({ resolution: resolutionMs });
    this.histogram.enable();
  }

  stats(): EventLoopStats {
    const h = this.histogram;
    // Node records the whole sampling interval; the lateness is what exceeds the resolution.
    const ms = (ns: number) => (Number.isFinite(ns) && h.count ? Math.max(0, Math.round((ns / 1e6 - this.resolutionMs) * 100) / 100) : 0);
    return {
      p50: ms(h.percentile(50)),
      p99: ms(h.percentile(99)),
      max: ms(h.max),
      mean: ms(h.mean),
      samples: h.count,
      sinceMs: Math.round(performance.now() - this.since),
    };
  }

  reset(): void {
    this.histogram.reset();
    this.since = performance.now();
  }

  dispose(): void {
    this.histogram.disable();
  }
}
