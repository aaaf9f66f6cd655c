// How the weights viewer writes a tensor's numbers and draws its histogram (the tensor table and
// the layer detail use the same cells).
import { h } from '../shared/dom';
import type { TensorStats } from '../../protocol/engine/modelFiles';

export const fmt = (v: number): string => {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(2) : v.toPrecision(4);
};

export const shape = (s: number[]): string => `[${s.join(', ')}]`;

export function histogram(t: TensorStats): HTMLCanvasElement {
  // the row's min, max, mean and std say it in words; the picture is for the eye
  const c = h('canvas', { class: 'hist', width: '96', height: '18', title: `${fmt(t.min)} … ${fmt(t.max)}`, 'aria-hidden': 'true' });
  const g = c.getContext('2d');
  if (!g) return c;
  const peak = Math.max(...t.histogram, 1);
  g.fillStyle = getComputedStyle(document.body).getPropertyValue('--vscode-charts-blue') || getComputedStyle(document.body).color;
  const w = 96 / t.histogram.length;
  t.histogram.forEach((n, i) => {
    // square-root scale: the tails of a weight distribution stay visible next to its peak
    const hgt = n ? Math.max(1, Math.sqrt(n / peak) * 18) : 0;
    g.fillRect(i * w, 18 - hgt, Math.max(1, w - 0.5), hgt);
  });
  return c;
}

/** The statistic cells of one tensor's row: name, shape, dtype, min, max, mean, std, zeros, histogram. */
export function tensorCells(t: TensorStats): HTMLElement[] {
  return [
    h('td', { class: 'name' }, t.name),
    h('td', null, shape(t.shape)),
    h('td', null, t.dtype),
    h('td', { class: 'num' }, fmt(t.min)),
    h('td', { class: 'num' }, fmt(t.max)),
    h('td', { class: 'num' }, fmt(t.mean)),
    h('td', { class: 'num' }, fmt(t.std)),
    h('td', { class: 'num' }, `${(100 * t.zeros).toFixed(t.zeros && t.zeros < 0.001 ? 3 : 1)}%`),
    h('td', null, histogram(t), t.nonFinite ? h('span', { class: 'muted' }, ` ${t.nonFinite} NaN/Inf`) : null),
  ];
}

export const TENSOR_COLUMNS = ['name', 'shape', 'dtype', 'min', 'max', 'mean', 'std', 'zeros', 'histogram'];
export const NUMERIC_COLUMNS = new Set(['min', 'max', 'mean', 'std', 'zeros']);
