// The project view's plot: one canvas, every point drawn each frame from typed arrays (no DOM
// node per point), as a coloured dot or, when zoomed in far enough to tell them apart, as its
// thumbnail from one atlas canvas with a class-coloured frame. Off-screen points are skipped.
import { toScreen, type View } from './geometry';

export interface ScatterStyle {
  background: string;
  selection: string;
  hover: string;
  other: string;
}

export interface FrameStats {
  ms: number;
  drawn: number;
  mode: 'dots' | 'thumbnails';
}

/** Thumbnails side by side in rows of ATLAS_COLUMNS on one canvas (RGB bytes in, opaque RGBA out). */
export const ATLAS_COLUMNS = 64;

export function buildAtlas(thumbnails: Uint8Array, size: number, count: number): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  const cols = Math.max(1, Math.min(ATLAS_COLUMNS, count));
  const rows = Math.max(1, Math.ceil(count / cols));
  canvas.width = cols * size;
  canvas.height = rows * size;
  const ctx = canvas.getContext('2d')!;
  const image = ctx.createImageData(canvas.width, canvas.height);
  const out = image.data;
  for (let i = 0; i < count; i++) {
    const ox = (i % cols) * size;
    const oy = Math.floor(i / cols) * size;
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        const s = ((i * size + y) * size + x) * 3;
        const d = ((oy + y) * canvas.width + ox + x) * 4;
        out[d] = thumbnails[s];
        out[d + 1] = thumbnails[s + 1];
        out[d + 2] = thumbnails[s + 2];
        out[d + 3] = 255;
      }
  }
  ctx.putImageData(image, 0, 0);
  return canvas;
}

export class Scatter {
  coords: Float32Array = new Float32Array(0);
  /** per point: index into colours, -1 for `style.other` */
  group: Int32Array = new Int32Array(0);
  colours: string[] = [];
  selected: Uint8Array = new Uint8Array(0);
  hover = -1;
  focus = -1;
  showThumbnails = true;
  /** the lasso being drawn, in screen pixels */
  lasso: number[] = [];
  private atlas?: HTMLCanvasElement;
  private thumbSize = 0;
  private count = 0;

  constructor(readonly canvas: HTMLCanvasElement, public style: ScatterStyle) {}

  setPoints(coords: Float32Array, thumbnails: Uint8Array, thumbSize: number): void {
    this.count = coords.length / 2;
    this.coords = coords;
    this.thumbSize = thumbSize;
    this.atlas = thumbnails.length >= this.count * thumbSize * thumbSize * 3 && this.count ? buildAtlas(thumbnails, thumbSize, this.count) : undefined;
    if (this.selected.length !== this.count) this.selected = new Uint8Array(this.count);
    if (this.group.length !== this.count) this.group = new Int32Array(this.count).fill(-1);
  }

  /** Side of a point on screen, in CSS pixels: thumbnails grow with the zoom. */
  pointSize(view: View): number {
    return Math.max(6, Math.min(112, view.scale * 0.045));
  }

  mode(view: View): 'dots' | 'thumbnails' {
    return this.showThumbnails && this.atlas && this.pointSize(view) >= 10 ? 'thumbnails' : 'dots';
  }

  /** Draws the frame; the canvas's backing store follows its CSS size times the device pixel ratio. */
  draw(view: View): FrameStats {
    const t0 = performance.now();
    const dpr = window.devicePixelRatio || 1;
    const w = this.canvas.clientWidth;
    const hgt = this.canvas.clientHeight;
    if (this.canvas.width !== Math.round(w * dpr) || this.canvas.height !== Math.round(hgt * dpr)) {
      this.canvas.width = Math.round(w * dpr);
      this.canvas.height = Math.round(hgt * dpr);
    }
    const ctx = this.canvas.getContext('2d')!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = this.style.background;
    ctx.fillRect(0, 0, w, hgt);
    const mode = this.mode(view);
    const size = mode === 'thumbnails' ? this.pointSize(view) : Math.max(3, Math.min(9, view.scale * 0.012));
    const half = size / 2;
    const cols = Math.max(1, Math.min(ATLAS_COLUMNS, this.count));
    const ts = this.thumbSize;
    let drawn = 0;
    ctx.imageSmoothingEnabled = true;
    // Points in order, so the draw order matches the hit test (later points on top).
    for (let i = 0; i < this.count; i++) {
      const [sx, sy] = toScreen(view, this.coords[i * 2], this.coords[i * 2 + 1]);
      if (sx < -half - 2 || sy < -half - 2 || sx > w + half + 2 || sy > hgt + half + 2) continue;
      drawn++;
      const g = this.group[i];
      ctx.fillStyle = g >= 0 ? this.colours[g] ?? this.style.other : this.style.other;
      if (mode === 'thumbnails' && this.atlas) {
        const frame = Math.max(2, size * 0.08);
        ctx.fillRect(sx - half - frame, sy - half - frame, size + 2 * frame, size + 2 * frame);
        ctx.drawImage(this.atlas, (i % cols) * ts, Math.floor(i / cols) * ts, ts, ts, sx - half, sy - half, size, size);
      } else {
        ctx.fillRect(sx - half, sy - half, size, size);
      }
    }
    // Selection, focus and hover rings on top of everything.
    ctx.lineWidth = 2;
    const ring = (i: number, colour: string, grow: number) => {
      const [sx, sy] = toScreen(view, this.coords[i * 2], this.coords[i * 2 + 1]);
      ctx.strokeStyle = colour;
      ctx.strokeRect(sx - half - grow, sy - half - grow, size + 2 * grow, size + 2 * grow);
    };
    for (let i = 0; i < this.count; i++) if (this.selected[i]) ring(i, this.style.selection, 3);
    if (this.focus >= 0 && this.focus < this.count) {
      ctx.setLineDash([4, 3]);
      ring(this.focus, this.style.hover, 6);
      ctx.setLineDash([]);
    }
    if (this.hover >= 0 && this.hover < this.count) ring(this.hover, this.style.hover, 5);
    if (this.lasso.length >= 4) {
      ctx.beginPath();
      ctx.moveTo(this.lasso[0], this.lasso[1]);
      for (let i = 2; i < this.lasso.length; i += 2) ctx.lineTo(this.lasso[i], this.lasso[i + 1]);
      ctx.closePath();
      ctx.strokeStyle = this.style.selection;
      ctx.setLineDash([5, 4]);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.globalAlpha = 0.12;
      ctx.fillStyle = this.style.selection;
      ctx.fill();
      ctx.globalAlpha = 1;
    }
    return { ms: performance.now() - t0, drawn, mode };
  }
}
