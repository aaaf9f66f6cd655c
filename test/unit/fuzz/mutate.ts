// Seeded mutations of a small valid file, for the parser fuzz tests: bit flips, byte stomps,
// truncations, little-endian length fields set to extremes (at a random offset or at the format's
// own length fields), and duplicated spans. Same seed, same sequence: a failure names its seed and
// case number, and `FUZZ_SEED=<seed> FUZZ_ONLY=<case>` replays it.

/** xorshift32: tiny, seedable, good enough to pick offsets. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s / 2 ** 32;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
}

const EXTREMES_32 = [0, 1, 0x7f, 0xff, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];
const EXTREMES_64 = [0n, 1n, 0x7fffffffn, 0xffffffffn, 2n ** 53n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n];

export interface Mutation {
  bytes: Uint8Array;
  what: string;
}

/** One mutation of `src`. `fields`: offsets of the format's own length fields (u32/u64 LE). */
export function mutate(src: Uint8Array, rng: Rng, fields: { offset: number; bytes: 4 | 8 }[] = []): Mutation {
  const b = Uint8Array.from(src);
  const view = new DataView(b.buffer);
  const kind = rng.int(fields.length ? 7 : 6);
  switch (kind) {
    case 0: {
      const n = 1 + rng.int(8);
      const at: number[] = [];
      for (let i = 0; i < n; i++) {
        const o = rng.int(b.length);
        b[o] ^= 1 << rng.int(8);
        at.push(o);
      }
      return { bytes: b, what: `bit flips at ${at.join(',')}` };
    }
    case 1: {
      const o = rng.int(b.length);
      const v = rng.pick([0x00, 0xff, 0x7f, 0x80]);
      const n = 1 + rng.int(16);
      b.fill(v, o, Math.min(b.length, o + n));
      return { bytes: b, what: `${n} bytes at ${o} set to 0x${v.toString(16)}` };
    }
    case 2: {
      const keep = rng.int(b.length);
      return { bytes: b.subarray(0, keep), what: `truncated to ${keep} bytes` };
    }
    case 3: {
      const o = rng.int(Math.max(1, b.length - 4));
      const v = rng.pick(EXTREMES_32);
      if (o + 4 <= b.length) view.setUint32(o, v, true);
      return { bytes: b, what: `u32 at ${o} = 0x${v.toString(16)}` };
    }
    case 4: {
      const o = rng.int(Math.max(1, b.length - 8));
      const v = rng.pick(EXTREMES_64);
      if (o + 8 <= b.length) view.setBigUint64(o, v, true);
      return { bytes: b, what: `u64 at ${o} = ${v}` };
    }
    case 5: {
      // a span repeated in place: lengths and offsets after it now point elsewhere
      const o = rng.int(b.length);
      const n = 1 + rng.int(Math.min(64, b.length - o));
      const out = new Uint8Array(b.length + n);
      out.set(b.subarray(0, o + n));
      out.set(b.subarray(o), o + n);
      return { bytes: out, what: `${n} bytes at ${o} duplicated` };
    }
    default: {
      const f = rng.pick(fields);
      if (f.offset + f.bytes > b.length) return { bytes: b, what: 'no-op' };
      if (f.bytes === 4) {
        const v = rng.pick(EXTREMES_32);
        view.setUint32(f.offset, v, true);
        return { bytes: b, what: `length field u32 at ${f.offset} = 0x${v.toString(16)}` };
      }
      const v = rng.pick(EXTREMES_64);
      view.setBigUint64(f.offset, v, true);
      return { bytes: b, what: `length field u64 at ${f.offset} = ${v}` };
    }
  }
}

/** What a JavaScript engine says when a parser was not ready for its input: never acceptable. */
export const RAW_ERROR = /Maximum call stack|Invalid typed array length|Invalid array length|Array buffer allocation failed|Cannot read propert|Cannot destructure|is not a function|is not iterable|is not a constructor|Offset is outside the bounds|out of memory|\bundefined\b/i;
