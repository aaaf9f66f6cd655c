// Seeded randomness for training. Every random draw is derived from (seed, purpose, epoch, index)
// rather than from one running generator, so a resumed run makes exactly the same draws as an
// uninterrupted one without having to save generator state.

/** Mixes integers into a 32-bit seed (murmur3-style finaliser per key). */
export function hashSeed(...keys: number[]): number {
  let h = 0x9e3779b9;
  for (const k of keys) {
    let x = Math.imul((k | 0) ^ (Math.floor(k / 2 ** 32) | 0), 0xcc9e2d51);
    x = (x << 15) | (x >>> 17);
    h ^= Math.imul(x, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Purposes, so the draws for different things never share a stream. */
export const RNG = { split: 1, shuffle: 2, augment: 3, dropout: 4, init: 5, pcaSample: 6 } as const;

export class Rng {
  private s: number;
  private spare: number | null = null;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** mulberry32: uniform in [0, 1) */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** integer in [0, n) */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** standard normal (Box-Muller) times std */
  normal(std = 1): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v * std;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    const theta = 2 * Math.PI * this.next();
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta) * std;
  }
  /** Fisher-Yates, in place */
  shuffle<T>(a: T[]): T[] {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
  }
}

export function rngFor(...keys: number[]): Rng {
  return new Rng(hashSeed(...keys));
}
