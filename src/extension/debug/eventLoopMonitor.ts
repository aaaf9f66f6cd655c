// Measures how long the extension host's event loop is held up (a blocked host freezes every
// extension), so tests can check that classification and training stay in the engine process.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

export interface EventLoopStats {
  /** delays in milliseconds since the last reset */
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

  constructor(resolutionMs = 10) {
    this.histogram = monitorEventLoopDelay({ resolution: resolutionMs });
    this.histogram.enable();
  }

  stats(): EventLoopStats {
    const h = this.histogram;
    const ms = (ns: number) => (Number.isFinite(ns) ? Math.round(ns / 1e4) / 100 : 0);
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
