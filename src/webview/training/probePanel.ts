// The probe image section (section#probe): the image the user chose with its latest epoch's
// Grad-CAM over the centre crop the model saw (canvas#probe-heatmap, opacity slider) and the
// top-5 (table#probe-top), redrawn after every epoch. Choose Probe Image… (#choose-probe) asks the
// host, which writes probe.json for the trainer.
import { h } from '../shared/dom';
import { opacitySlider } from '../shared/opacitySlider';
import type { ProbeView, RunView } from '../../protocol/webview/training';

const FRAME = 224;
export const DEFAULT_PROBE_OPACITY = 0.5;

export interface ProbeContext {
  choose(): void;
  opacity(): number;
  setOpacity(opacity: number, save: boolean): void;
}

export function probeSection(view: RunView, ctx: ProbeContext): HTMLElement {
  const choose = h('vscode-button', { id: 'choose-probe', icon: 'file-media', secondary: true }, view.probeImage ? 'Choose Another Probe Image…' : 'Choose Probe Image…');
  choose.addEventListener('click', () => ctx.choose());
  const section = h('section', { id: 'probe', class: 'probe' }, h('h2', null, 'Probe image'), choose);
  const probe = view.probe;
  if (!view.probeImage) {
    section.append(h('p', { class: 'meta' }, 'Pick an image to watch: after every epoch the run computes its top-5 classes and a Grad-CAM heatmap with that epoch\'s weights.'));
    return section;
  }
  if (!probe || probe.image !== view.probeImage) {
    const when = view.live && view.status === 'training' ? 'after the current epoch' : 'after the next epoch (Resume or train again to compute it)';
    section.append(h('p', { id: 'probe-pending', class: 'meta' }, `${view.probeImage}: its top-5 and Grad-CAM are computed ${when}.`));
    return section;
  }
  section.append(
    h('p', { id: 'probe-caption', class: 'meta' }, `${probe.image} · epoch ${probe.epoch} · Grad-CAM at ${probe.layer} for ${probe.classNames[probe.classIndex] ?? probe.classIndex}, over the centre crop the model sees`),
    h('div', { class: 'probe-body' }, probeFigure(probe, ctx), topTable(probe)),
  );
  return section;
}

function probeFigure(probe: ProbeView, ctx: ProbeContext): HTMLElement {
  const canvas = h('canvas', { id: 'probe-heatmap', width: String(probe.width), height: String(probe.height), 'aria-label': `Grad-CAM heatmap, ${probe.height} by ${probe.width}` }) as HTMLCanvasElement;
  canvas.style.opacity = String(ctx.opacity());
  drawHeatmap(canvas, probe);
  const frame = h('div', { class: 'probe-frame' });
  Object.assign(frame.style, { width: `${FRAME}px`, height: `${FRAME}px` }); // CSSOM: the CSP blocks inline style attributes
  if (probe.src) {
    const img = h('img', { src: probe.src, alt: probe.image }) as HTMLImageElement;
    // the centre crop (cropFraction of the shorter side) fills the frame, as the model saw it
    img.addEventListener('load', () => {
      const s = FRAME / (probe.cropFraction * Math.min(img.naturalWidth, img.naturalHeight));
      const w = img.naturalWidth * s;
      const ht = img.naturalHeight * s;
      Object.assign(img.style, { width: `${w}px`, height: `${ht}px`, left: `${(FRAME - w) / 2}px`, top: `${(FRAME - ht) / 2}px` });
    });
    frame.append(img);
  } else {
    frame.append(h('p', { class: 'meta probe-missing' }, 'The image cannot be shown here (gone, over 2 MB, or not a web image format).'));
  }
  frame.append(canvas);
  const slider = opacitySlider(ctx.opacity(), 'Heatmap opacity', (o) => {
    canvas.style.opacity = String(o);
    ctx.setOpacity(o, false);
  }, () => ctx.setOpacity(Number((document.getElementById('overlay-opacity') as HTMLInputElement | null)?.value ?? 50) / 100, true));
  return h('figure', { class: 'probe-figure' }, frame, slider);
}

/** One cell per heatmap value in the theme's chart colour, its alpha the value; CSS scales it up smoothly. */
function drawHeatmap(canvas: HTMLCanvasElement, probe: ProbeView): void {
  const g = canvas.getContext('2d');
  if (!g) return;
  const css = getComputedStyle(document.body);
  g.fillStyle = css.getPropertyValue('--vscode-charts-red').trim() || css.getPropertyValue('--vscode-errorForeground').trim() || css.color;
  for (let y = 0; y < probe.height; y++) {
    for (let x = 0; x < probe.width; x++) {
      g.globalAlpha = probe.heatmap[y * probe.width + x] ?? 0;
      g.fillRect(x, y, 1, 1);
    }
  }
}

function topTable(probe: ProbeView): HTMLElement {
  return h(
    'table',
    { id: 'probe-top', class: 'probe-top' },
    h('thead', null, h('tr', null, h('th', null, 'Class'), h('th', null, 'Probability'))),
    h('tbody', null, ...probe.top.map(([c, p], k) => h('tr', { class: k === 0 ? 'probe-first' : '', 'data-class': String(c), 'data-p': String(p) },
      h('td', null, probe.classNames[c] ?? String(c)),
      h('td', { class: 'num' }, `${(p * 100).toFixed(1)}%`)))),
  );
}
