// Canvas 2D drawing of activation maps: one ImageData for a whole grid (no per-channel canvases),
// written through a Uint32 view with a 256-entry colour table, so 96 maps of 55x55 are a few ms.
// Also used by the activation explorer (src/webview/explorer).

/** 256 RGBA colours (packed little-endian for a Uint32Array view), dark blue -> yellow (viridis-like). */
export const HEAT_LUT: Uint32Array = buildLut([
  [0, [68, 1, 84]],
  [0.25, [59, 82, 139]],
  [0.5, [33, 145, 140]],
  [0.75, [94, 201, 98]],
  [1, [253, 231, 37]],
]);

function buildLut(stops: [number, [number, number, number]][]): Uint32Array {
  const lut = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    const t = i / 255;
    let k = 0;
    while (k < stops.length - 2 && t > stops[k + 1][0]) k++;
    const [t0, c0] = stops[k];
    const [t1, c1] = stops[k + 1];
    const f = (t - t0) / (t1 - t0);
    const [r, g, b] = [0, 1, 2].map((j) => Math.round(c0[j] + (c1[j] - c0[j]) * f));
    lut[i] = (255 << 24) | (b << 16) | (g << 8) | r;
  }
  return lut;
}

/** What a feature-map grid draws: [c][h][w] maps with per-channel ranges. */
export interface MapsData {
  height: number;
  width: number;
  channels: number;
  data: Float32Array;
  channelMin: Float32Array;
  channelMax: Float32Array;
}

export interface GridOptions {
  /** channel order (e.g. sorted by mean activation) */
  order: number[];
  /** tile columns */
  columns: number;
  /** pixels per map pixel (integer) */
  scale: number;
  /** instead of scale: the tile's width in px (maps scaled by nearest neighbour to fill it) */
  tile?: number;
  /** 'channel': each map from its own min..max; 'layer': one range for all */
  normalise: 'channel' | 'layer';
  /** gap between tiles, pixels */
  gap?: number;
  /** colour of the gaps, packed like HEAT_LUT */
  background?: number;
  /** a text band under each tile (0: none) */
  captionHeight?: number;
  caption?: (channel: number) => string;
  captionColor?: string;
  captionFont?: string;
}

export interface GridLayout {
  columns: number;
  tileWidth: number;
  tileHeight: number;
  captionHeight: number;
  gap: number;
  order: number[];
}

// Shared with the other pages (shared/typedArrays.ts); re-exported for the pages that import it from here.
export { asFloat32 } from '../shared/typedArrays';

/** The value range a channel is drawn with; zero stays at the bottom for ReLU'd maps. */
export function channelRange(maps: MapsData, c: number, normalise: 'channel' | 'layer', layerRange: [number, number]): [number, number] {
  if (normalise === 'layer') return layerRange;
  return [Math.min(0, maps.channelMin[c]), maps.channelMax[c]];
}

export function layerRange(maps: MapsData): [number, number] {
  let lo = 0;
  let hi = -Infinity;
  for (let c = 0; c < maps.channels; c++) {
    lo = Math.min(lo, maps.channelMin[c]);
    hi = Math.max(hi, maps.channelMax[c]);
  }
  return [lo, hi];
}

/** Draws the grid into `canvas` (resized to fit) and returns where each tile went. */
export function drawMapsGrid(canvas: HTMLCanvasElement, maps: MapsData, opts: GridOptions): GridLayout {
  const gap = opts.gap ?? 2;
  const { height: mh, width: mw } = maps;
  const scale = Math.max(1, Math.floor(opts.scale));
  const tileW = opts.tile ? Math.max(1, Math.floor(opts.tile)) : mw * scale;
  const tileH = opts.tile ? Math.max(1, Math.round((tileW * mh) / mw)) : mh * scale;
  const columns = Math.max(1, Math.min(opts.columns, opts.order.length));
  const rows = Math.ceil(opts.order.length / columns);
  const captionH = opts.caption ? opts.captionHeight ?? 0 : 0;
  const pitchY = tileH + captionH + gap;
  const width = columns * tileW + (columns - 1) * gap;
  const height = Math.max(1, rows * pitchY - gap);
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d')!;
  const image = ctx.createImageData(width, height);
  const px = new Uint32Array(image.data.buffer);
  if (opts.background) px.fill(opts.background);
  const range = layerRange(maps);
  const plane = mh * mw;
  const colOf = new Int32Array(tileW); // map column of each tile pixel column
  for (let x = 0; x < tileW; x++) colOf[x] = Math.min(mw - 1, Math.floor((x * mw) / tileW));
  const rowOf = new Int32Array(tileH);
  for (let y = 0; y < tileH; y++) rowOf[y] = Math.min(mh - 1, Math.floor((y * mh) / tileH));
  opts.order.forEach((c, i) => {
    const [lo, hi] = channelRange(maps, c, opts.normalise, range);
    const k = hi > lo ? 255 / (hi - lo) : 0;
    const ox = (i % columns) * (tileW + gap);
    const oy = Math.floor(i / columns) * pitchY;
    const base = c * plane;
    for (let y = 0; y < tileH; y++) {
      const src = base + rowOf[y] * mw;
      let dst = (oy + y) * width + ox;
      for (let x = 0; x < tileW; x++) {
        const v = (maps.data[src + colOf[x]] - lo) * k;
        px[dst++] = HEAT_LUT[v <= 0 ? 0 : v >= 255 ? 255 : v | 0];
      }
    }
  });
  ctx.putImageData(image, 0, 0);
  if (captionH && opts.caption) {
    ctx.fillStyle = opts.captionColor ?? '#888';
    ctx.font = opts.captionFont ?? '10px sans-serif';
    ctx.textBaseline = 'top';
    opts.order.forEach((c, i) => {
      const ox = (i % columns) * (tileW + gap);
      const oy = Math.floor(i / columns) * pitchY + tileH + 1;
      ctx.fillText(opts.caption!(c), ox, oy, tileW);
    });
  }
  return { columns, tileWidth: tileW, tileHeight: tileH, captionHeight: captionH, gap, order: opts.order };
}

/** The channel under a click on a grid drawn with `layout` (canvas may be CSS-scaled). */
export function channelAt(canvas: HTMLCanvasElement, layout: GridLayout, e: MouseEvent): number | undefined {
  const rect = canvas.getBoundingClientRect();
  const x = ((e.clientX - rect.left) * canvas.width) / rect.width;
  const y = ((e.clientY - rect.top) * canvas.height) / rect.height;
  const col = Math.floor(x / (layout.tileWidth + layout.gap));
  const row = Math.floor(y / (layout.tileHeight + layout.captionHeight + layout.gap));
  if (col < 0 || col >= layout.columns) return undefined;
  return layout.order[row * layout.columns + col];
}

/** Where tile `index` (a position in the grid's order) lies in the canvas, in canvas pixels. */
export function tileBox(layout: GridLayout, index: number): { x: number; y: number; w: number; h: number } {
  return {
    x: (index % layout.columns) * (layout.tileWidth + layout.gap),
    y: Math.floor(index / layout.columns) * (layout.tileHeight + layout.captionHeight + layout.gap),
    w: layout.tileWidth,
    h: layout.tileHeight,
  };
}

/** Outlines a tile with the box `highlight` (absolutely placed over `canvas`); hides it for undefined. */
export function placeHighlight(highlight: HTMLElement, canvas: HTMLCanvasElement, layout: GridLayout | undefined, index: number | undefined): void {
  if (!layout || index === undefined || index < 0) {
    highlight.hidden = true;
    return;
  }
  const b = tileBox(layout, index);
  const k = canvas.clientWidth / canvas.width || 1; // canvas pixels to CSS pixels
  highlight.hidden = false;
  highlight.style.left = `${b.x * k - 2}px`;
  highlight.style.top = `${b.y * k - 2}px`;
  highlight.style.width = `${b.w * k + 4}px`;
  highlight.style.height = `${b.h * k + 4}px`;
}

/** One h*w map as a colour canvas of its own size (for drawImage scaling and overlays). */
export function mapCanvas(values: Float32Array, height: number, width: number, range: [number, number], alpha = 255): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d')!;
  const image = ctx.createImageData(width, height);
  const px = new Uint32Array(image.data.buffer);
  const [lo, hi] = range;
  const k = hi > lo ? 255 / (hi - lo) : 0;
  const a = (alpha & 255) << 24;
  for (let i = 0; i < width * height; i++) {
    const v = (values[i] - lo) * k;
    px[i] = (HEAT_LUT[v <= 0 ? 0 : v >= 255 ? 255 : v | 0] & 0x00ffffff) | a;
  }
  ctx.putImageData(image, 0, 0);
  return canvas;
}

export interface Rgba {
  width: number;
  height: number;
  rgba: Uint8ClampedArray;
}

export function rgbaCanvas(img: Rgba): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = img.width;
  canvas.height = img.height;
  const ctx = canvas.getContext('2d')!;
  const image = ctx.createImageData(img.width, img.height);
  image.data.set(img.rgba instanceof Uint8ClampedArray ? img.rgba : asBytes(img.rgba));
  ctx.putImageData(image, 0, 0);
  return canvas;
}

function asBytes(x: unknown): ArrayLike<number> {
  if (x instanceof ArrayBuffer) return new Uint8Array(x);
  if (ArrayBuffer.isView(x)) return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  if (Array.isArray(x)) return x as number[];
  return Object.values((x ?? {}) as Record<string, number>);
}

/**
 * The input image with a map laid over it (upsampled smoothly to the image size), into `canvas`
 * at `size` pixels square. `opacity` 0..1 for the map.
 */
export function drawOverlay(canvas: HTMLCanvasElement, image: Rgba, map: HTMLCanvasElement | undefined, size: number, opacity = 0.55): void {
  canvas.width = size;
  canvas.height = size;
  const ctx = canvas.getContext('2d')!;
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(rgbaCanvas(image), 0, 0, size, size);
  if (map) {
    ctx.globalAlpha = opacity;
    ctx.drawImage(map, 0, 0, size, size);
    ctx.globalAlpha = 1;
  }
}
