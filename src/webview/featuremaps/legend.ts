// Colour legends: the heat colour table as a strip with the value of each end and round values
// between (scales.ts), so a colour in a map or a Grad-CAM reads as a number. Also read out: the
// strip is an image whose label names the range.
import { h } from '../shared/dom';
import { HEAT_LUT } from './render';
import { legendTicks } from './scales';

let strip: HTMLCanvasElement | undefined;

/** The 256 colours once, as a 256×1 canvas scaled by CSS. */
function stripCanvas(): HTMLCanvasElement {
  if (!strip) {
    strip = document.createElement('canvas');
    strip.width = 256;
    strip.height = 1;
    const g = strip.getContext('2d')!;
    const img = g.createImageData(256, 1);
    new Uint32Array(img.data.buffer).set(HEAT_LUT);
    g.putImageData(img, 0, 0);
  }
  return strip;
}

/** A legend for values lo..hi; `what` says what the values are (e.g. "conv1 #11 activation"). */
export function colourLegend(lo: number, hi: number, what: string, id?: string): HTMLElement {
  const bar = document.createElement('canvas');
  bar.width = 256;
  bar.height = 1;
  bar.className = 'legend-strip';
  bar.getContext('2d')?.drawImage(stripCanvas(), 0, 0);
  const ticks = legendTicks(lo, hi);
  const labels = h('div', { class: 'legend-ticks', 'aria-hidden': 'true' });
  for (const t of ticks) {
    const span = h('span', { class: t.at === 0 ? 'first' : t.at === 1 ? 'last' : '' }, t.label);
    if (t.at > 0 && t.at < 1) span.style.left = `${(t.at * 100).toFixed(1)}%`;
    labels.append(span);
  }
  const range = ticks.length ? `from ${ticks[0].label} (dark purple) to ${ticks.at(-1)!.label} (yellow)` : 'no values';
  return h('figure', { class: 'legend', ...(id && { id }), role: 'img', 'aria-label': `Colour scale of ${what}: ${range}`, dataset: { lo: String(lo), hi: String(hi) } }, h('figcaption', { class: 'meta' }, what), bar, labels);
}
