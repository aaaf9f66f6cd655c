// What a grid of maps does besides being drawn, shared by the feature-maps panel and the side
// panel: click or arrow keys select a channel (the grid is one tab stop; PageUp/PageDown step
// the layer), the selected tile is outlined, the tile under the pointer is named, and the
// channels' numbers are offered as a table (the grid's text alternative).
import { h } from '../shared/dom';
import type { FeatureMaps } from '../../protocol/engine';
import { channelAt, placeHighlight, type GridLayout } from './render';
import { gridKeyStep } from './scales';

export interface GridControls {
  /** call after each draw or selection: moves the outline, renews the canvas's label */
  refresh(): void;
}

export function bindGrid(
  canvas: HTMLCanvasElement,
  highlight: HTMLElement,
  hoverLabel: HTMLElement,
  o: {
    layout: () => GridLayout | undefined;
    selected: () => number | undefined;
    select: (channel: number) => void;
    describe: (channel: number) => string;
    stepLayer: (delta: number) => void;
    /** the canvas's accessible name, from the current layer */
    label: () => string;
  },
): GridControls {
  canvas.tabIndex = 0;
  canvas.setAttribute('role', 'img');
  canvas.addEventListener('click', (e) => {
    const l = o.layout();
    const c = l && channelAt(canvas, l, e);
    if (c !== undefined) o.select(c);
  });
  canvas.addEventListener('mousemove', (e) => {
    const l = o.layout();
    const c = l && channelAt(canvas, l, e);
    const text = c === undefined ? '' : o.describe(c);
    hoverLabel.textContent = text;
    canvas.title = text;
  });
  canvas.addEventListener('mouseleave', () => (hoverLabel.textContent = ''));
  canvas.addEventListener('keydown', (e) => {
    const l = o.layout();
    if (!l) return;
    if (e.key === 'PageUp' || e.key === 'PageDown') {
      e.preventDefault();
      o.stepLayer(e.key === 'PageUp' ? -1 : 1);
      return;
    }
    const sel = o.selected();
    const at = sel === undefined ? -1 : l.order.indexOf(sel);
    const next = e.key === 'Enter' || e.key === ' ' ? (at < 0 ? 0 : undefined) : gridKeyStep(e.key, at, l.order.length, l.columns);
    if (next === undefined) return;
    e.preventDefault();
    o.select(l.order[next]);
  });
  return {
    refresh() {
      const l = o.layout();
      const sel = o.selected();
      placeHighlight(highlight, canvas, l, l && sel !== undefined ? l.order.indexOf(sel) : undefined);
      canvas.setAttribute('aria-label', `${o.label()}${l ? ` in ${l.columns} columns` : ''}. Arrow keys choose a channel, Page Up and Page Down the layer.${sel !== undefined ? ` Selected: ${o.describe(sel)}.` : ''}`);
    },
  };
}

/** The strongest channels' numbers (at most `limit` rows), in the grid's order. */
export function channelTable(m: FeatureMaps, order: number[], fmt: (v: number) => string, limit = 256): HTMLElement {
  const rows = order.slice(0, limit).map((c, i) =>
    h('tr', null, h('td', null, String(i + 1)), h('th', { scope: 'row' }, `#${c}`), h('td', null, fmt(m.channelMean[c])), h('td', null, fmt(m.channelMax[c])), h('td', null, fmt(m.channelMin[c]))));
  return h(
    'details',
    { class: 'numbers' },
    h('summary', null, `The channels as numbers${order.length > limit ? ` (first ${limit} of ${order.length})` : ''}`),
    h('table', { class: 'layers' }, h('thead', null, h('tr', null, ...['rank', 'channel', 'mean', 'max', 'min'].map((t) => h('th', { scope: 'col' }, t)))), h('tbody', null, ...rows)),
  );
}
