// The scatter's maths, kept apart from the DOM so it is unit-tested: the world-to-screen view
// (zoom about the cursor, fit), a uniform grid over the points for hover and click (no scan of
// 5,000 points per mouse move), and the lasso's point-in-polygon test.

/** screen = world * scale + (tx, ty); world y grows downwards like the screen's */
export interface View {
  scale: number;
  tx: number;
  ty: number;
}

export function toScreen(v: View, x: number, y: number): [number, number] {
  return [x * v.scale + v.tx, y * v.scale + v.ty];
}

export function toWorld(v: View, sx: number, sy: number): [number, number] {
  return [(sx - v.tx) / v.scale, (sy - v.ty) / v.scale];
}

/** The view that shows world [-1, 1]^2 in a width x height canvas with `margin` pixels around. */
export function fitView(width: number, height: number, margin = 24): View {
  const scale = Math.max(1e-6, (Math.min(width, height) - 2 * margin) / 2);
  return { scale, tx: width / 2, ty: height / 2 };
}

/** Zooms by `factor` keeping the world point under (sx, sy) where it is; the scale stays in [min, max]. */
export function zoomAt(v: View, sx: number, sy: number, factor: number, min = 1, max = 1e5): View {
  const scale = Math.min(max, Math.max(min, v.scale * factor));
  const f = scale / v.scale;
  return { scale, tx: sx - (sx - v.tx) * f, ty: sy - (sy - v.ty) * f };
}

/** Buckets of point indices over world space, for nearest-point queries. */
export class GridIndex {
  private readonly cells = new Map<number, number[]>();
  constructor(private readonly coords: Float32Array, private readonly cell = 0.05) {
    const n = coords.length / 2;
    for (let i = 0; i < n; i++) {
      const key = this.key(Math.floor(coords[i * 2] / cell), Math.floor(coords[i * 2 + 1] / cell));
      let list = this.cells.get(key);
      if (!list) this.cells.set(key, (list = []));
      list.push(i);
    }
  }

  private key(cx: number, cy: number): number {
    return (cx + 32768) * 65536 + (cy + 32768);
  }

  /** The point nearest (x, y) within `radius` (world units), or -1; ties go to the later point (drawn on top). */
  nearest(x: number, y: number, radius: number): number {
    const c = this.cell;
    let best = -1;
    let bestD = radius * radius;
    for (let cx = Math.floor((x - radius) / c); cx <= Math.floor((x + radius) / c); cx++)
      for (let cy = Math.floor((y - radius) / c); cy <= Math.floor((y + radius) / c); cy++) {
        const list = this.cells.get(this.key(cx, cy));
        if (!list) continue;
        for (const i of list) {
          const d = (this.coords[i * 2] - x) ** 2 + (this.coords[i * 2 + 1] - y) ** 2;
          if (d < bestD || (d === bestD && i > best)) {
            bestD = d;
            best = i;
          }
        }
      }
    return best;
  }
}

/** Even-odd rule: whether (x, y) lies inside the polygon [x0, y0, x1, y1, ...]. */
export function pointInPolygon(x: number, y: number, poly: readonly number[]): boolean {
  let inside = false;
  const n = poly.length / 2;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = poly[i * 2], yi = poly[i * 2 + 1];
    const xj = poly[j * 2], yj = poly[j * 2 + 1];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Indices of the points (world coords) inside a world-space polygon. */
export function pointsInPolygon(coords: Float32Array, poly: readonly number[]): number[] {
  if (poly.length < 6) return [];
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (let i = 0; i < poly.length; i += 2) {
    minX = Math.min(minX, poly[i]); maxX = Math.max(maxX, poly[i]);
    minY = Math.min(minY, poly[i + 1]); maxY = Math.max(maxY, poly[i + 1]);
  }
  const out: number[] = [];
  for (let i = 0; i < coords.length / 2; i++) {
    const x = coords[i * 2], y = coords[i * 2 + 1];
    if (x < minX || x > maxX || y < minY || y > maxY) continue;
    if (pointInPolygon(x, y, poly)) out.push(i);
  }
  return out;
}

/** a + (b - a) * t per element (the animation from one layout to the next) */
export function lerpCoords(a: Float32Array, b: Float32Array, t: number): Float32Array {
  if (a.length !== b.length) return b;
  const out = new Float32Array(b.length);
  for (let i = 0; i < b.length; i++) out[i] = a[i] + (b[i] - a[i]) * t;
  return out;
}
