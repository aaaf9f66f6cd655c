// Thumbnails written straight into one ImageData (a software blit, nearest neighbour): 5,000
// scaled drawImage calls took 155 ms a frame in headless chromium (no GPU canvas; e2e scenario
// 52), and even 300 large ones ~90 ms, while copying the pixels takes a few milliseconds
// whatever the renderer.

/** RGB thumbnails (size x size each) as packed RGBA words in the platform's byte order. */
export function packThumbnails(rgb: Uint8Array, size: number, count: number): Uint32Array {
  const out = new Uint32Array(count * size * size);
  const bytes = new Uint8Array(out.buffer);
  for (let p = 0; p < out.length; p++) {
    bytes[p * 4] = rgb[p * 3];
    bytes[p * 4 + 1] = rgb[p * 3 + 1];
    bytes[p * 4 + 2] = rgb[p * 3 + 2];
    bytes[p * 4 + 3] = 255;
  }
  return out;
}

/** One opaque colour as a packed RGBA word (same byte order as packThumbnails). */
export function packColour(r: number, g: number, b: number): number {
  const word = new Uint32Array(1);
  const bytes = new Uint8Array(word.buffer);
  bytes[0] = r;
  bytes[1] = g;
  bytes[2] = b;
  bytes[3] = 255;
  return word[0];
}

/** Fills [x0, x1) x [y0, y1), clipped to the buffer. */
export function fillRect(buf: Uint32Array, width: number, height: number, x0: number, y0: number, x1: number, y1: number, colour: number): void {
  const xa = Math.max(0, x0), xb = Math.min(width, x1);
  if (xa >= xb) return;
  for (let y = Math.max(0, y0); y < Math.min(height, y1); y++) buf.fill(colour, y * width + xa, y * width + xb);
}

/**
 * Copies thumbnail `index` scaled to side x side (nearest neighbour) with its top-left at
 * (x0, y0), clipped to the buffer. `map` is the source row/column for each of the side pixels.
 */
export function blitThumbnail(buf: Uint32Array, width: number, height: number, thumbs: Uint32Array, thumbSize: number, index: number, x0: number, y0: number, side: number, map: Int32Array): void {
  const base = index * thumbSize * thumbSize;
  const xa = Math.max(0, -x0), xb = Math.min(side, width - x0);
  if (xa >= xb) return;
  for (let y = Math.max(0, -y0); y < Math.min(side, height - y0); y++) {
    const src = base + map[y] * thumbSize;
    const dst = (y0 + y) * width + x0;
    for (let x = xa; x < xb; x++) buf[dst + x] = thumbs[src + map[x]];
  }
}

/** Source pixel for each destination pixel of a side-pixel copy of a size-pixel thumbnail. */
export function scaleMap(size: number, side: number): Int32Array {
  return Int32Array.from({ length: side }, (_, k) => Math.min(size - 1, Math.floor(((k + 0.5) * size) / side)));
}

/**
 * Which of the visible points (in draw order) later points cover completely, so a dense cluster
 * costs about the screen's pixels rather than its points' (a reverse pass over a grid of cells
 * half a thumbnail wide: a point is hidden when every cell inside its square is already taken).
 */
export function hiddenUnderLater(visible: readonly number[], xs: Float32Array, ys: Float32Array, outer: number, dpr: number, width: number, height: number): Uint8Array {
  const cell = Math.max(2, Math.floor(outer / 2));
  const gw = Math.ceil(width / cell) + 1, gh = Math.ceil(height / cell) + 1;
  const taken = new Uint8Array(gw * gh);
  const hidden = new Uint8Array(visible.length);
  for (let k = visible.length - 1; k >= 0; k--) {
    const i = visible[k];
    const x0 = xs[i] * dpr - outer / 2, y0 = ys[i] * dpr - outer / 2;
    // cells entirely inside the square, clipped to the screen
    const ca = Math.max(0, Math.ceil(x0 / cell)), cb = Math.min(gw, Math.floor((x0 + outer) / cell));
    const ra = Math.max(0, Math.ceil(y0 / cell)), rb = Math.min(gh, Math.floor((y0 + outer) / cell));
    let covered = ca < cb && ra < rb;
    for (let r = ra; r < rb && covered; r++) for (let c = ca; c < cb; c++) if (!taken[r * gw + c]) { covered = false; break; }
    if (covered) {
      hidden[k] = 1;
      continue;
    }
    for (let r = ra; r < rb; r++) for (let c = ca; c < cb; c++) taken[r * gw + c] = 1;
  }
  return hidden;
}
