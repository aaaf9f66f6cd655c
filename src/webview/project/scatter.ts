// The project view's plot: one canvas, every point drawn each frame from typed arrays (no DOM
// node per point), as a coloured dot or, when zoomed in far enough to tell them apart, as its
// thumbnail in a class-coloured frame, blitted into one ImageData (raster.ts). Off-screen
// points, and thumbnails later ones cover completely, are skipped.
import { toScreen, type View } from './geometry';
import { blitThumbnail, fillRect, hiddenUnderLater, packColour, packThumbnails, scaleMap } from './raster';


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
  private packed?: Uint32Array;
  private frameImage?: ImageData;
  private readonly packedColours = new Map<string, number>();
  private thumbSize = 0;
  private count = 0;

  constructor(readonly canvas: HTMLCanvasElement, public style: ScatterStyle) {}

  setPoints(coords: Float32Array, thumbnails: Uint8Array, thumbSize: number): void {
    this.count = coords.length / 2;
    this.coords = coords;
    this.thumbSize = thumbSize;
    const enough = thumbnails.length >= this.count * thumbSize * thumbSize * 3 && this.count > 0;
    this.packed = enough ? packThumbnails(thumbnails, thumbSize, this.count) : undefined;
    if (this.selected.length !== this.count) this.selected = new Uint8Array(this.count);
    if (this.group.length !== this.count) this.group = new Int32Array(this.count).fill(-1);
  }

  /** Side of a point on screen, in CSS pixels: thumbnails grow with the zoom. */
  pointSize(view: View): number {
    return Math.max(6, Math.min(112, view.scale * 0.045));
  }

  mode(view: View): 'dots' | 'thumbnails' {
    return this.showThumbnails && this.packed && this.pointSize(view) >= 10 ? 'thumbnails' : 'dots';
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
    const mode = this.mode(view);
    const size = mode === 'thumbnails' ? this.pointSize(view) : Math.max(3, Math.min(9, view.scale * 0.012));
    const half = size / 2;
    // Visible points first (later points are drawn on top, as the hit test prefers them).
    const visible: number[] = [];
    const xs = new Float32Array(this.count);
    const ys = new Float32Array(this.count);
    for (let i = 0; i < this.count; i++) {
      const [sx, sy] = toScreen(view, this.coords[i * 2], this.coords[i * 2 + 1]);
      if (sx < -half - 8 || sy < -half - 8 || sx > w + half + 8 || sy > hgt + half + 8) continue;
      xs[i] = sx;
      ys[i] = sy;
      visible.push(i);
    }
    const colourOf = (i: number) => (this.group[i] >= 0 ? this.colours[this.group[i]] ?? this.style.other : this.style.other);
    if (mode === 'thumbnails' && this.packed) {
      this.blit(ctx, visible, xs, ys, size, dpr);
    } else {
      ctx.fillStyle = this.style.background;
      ctx.fillRect(0, 0, w, hgt);
      for (const i of visible) {
        ctx.fillStyle = colourOf(i);
        ctx.fillRect(xs[i] - half, ys[i] - half, size, size);
      }
    }
    const drawn = visible.length;
    // Selection, focus and hover rings on top of everything.
    ctx.lineWidth = 2;
    const ring = (i: number, colour: string, grow: number) => {
      const [sx, sy] = toScreen(view, this.coords[i * 2], this.coords[i * 2 + 1]);
      ctx.strokeStyle = colour;
      ctx.strokeRect(sx - half - grow, sy - half - grow, size + 2 * grow, size + 2 * grow);
    };
    // one path for every selected point: thousands of strokeRect calls would cost a frame
    ctx.beginPath();
    for (const i of visible) if (this.selected[i]) ctx.rect(xs[i] - half - 3, ys[i] - half - 3, size + 6, size + 6);
    ctx.strokeStyle = this.style.selection;
    ctx.stroke();
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

  /** Any CSS colour as a packed RGBA word (resolved once through a 1x1 canvas). */
  private packed32(colour: string): number {
    let v = this.packedColours.get(colour);
    if (v === undefined) {
      const c = document.createElement('canvas').getContext('2d', { willReadFrequently: true })!;
      c.fillStyle = colour;
      c.fillRect(0, 0, 1, 1);
      const [r, g, b] = c.getImageData(0, 0, 1, 1).data;
      this.packedColours.set(colour, (v = packColour(r, g, b)));
    }
    return v;
  }

  /** The whole frame's thumbnails copied pixel by pixel into one ImageData (device pixels). */
  private blit(ctx: CanvasRenderingContext2D, visible: number[], xs: Float32Array, ys: Float32Array, size: number, dpr: number): void {
    const W = this.canvas.width, H = this.canvas.height;
    if (!this.frameImage || this.frameImage.width !== W || this.frameImage.height !== H) this.frameImage = ctx.createImageData(W, H);
    const buf = new Uint32Array(this.frameImage.data.buffer);
    buf.fill(this.packed32(this.style.background));
    const side = Math.max(1, Math.round(size * dpr));
    const frame = Math.max(2, Math.round(side * 0.08));
    const map = scaleMap(this.thumbSize, side);
    const words = this.colours.map((c) => this.packed32(c));
    const other = this.packed32(this.style.other);
    const hidden = hiddenUnderLater(visible, xs, ys, side + 2 * frame, dpr, W, H);
    for (let k = 0; k < visible.length; k++) {
      if (hidden[k]) continue;
      const i = visible[k];
      const x0 = Math.round(xs[i] * dpr - side / 2);
      const y0 = Math.round(ys[i] * dpr - side / 2);
      const g = this.group[i];
      fillRect(buf, W, H, x0 - frame, y0 - frame, x0 + side + frame, y0 + side + frame, g >= 0 ? words[g] ?? other : other);
      blitThumbnail(buf, W, H, this.packed!, this.thumbSize, i, x0, y0, side, map);
    }
    ctx.putImageData(this.frameImage, 0, 0);
  }
}

