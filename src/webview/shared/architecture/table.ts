// The layer table under the diagram (the `alexnet info` numbers), and the diagram's text
// alternative. Eight short columns (kernel, stride, padding and groups share one) that do not
// wrap, so it stays readable in a half-width panel; narrower than that it scrolls in its own box.
import { h } from '../dom';
import { compact, operationOf, pct, type ArchitectureModel } from './layout';

const MAJOR = new Set(['conv', 'maxpool', 'adaptiveavgpool', 'dense', 'softmax']);

export interface TableOptions {
  /** opens a layer on click or Enter/Space (the architecture view) */
  onOpen?: (layer: string, kind: string) => void;
  /** one more column, e.g. the weights file's key for each layer */
  extra?: { header: string; cell: (layer: string) => string };
}

export function layerTable(model: ArchitectureModel, opts: TableOptions = {}): HTMLElement {
  const { totalParams, totalFlops } = model;
  const rows = model.layers.map((r) => {
    const clickable = !!opts.onOpen && r.kind !== 'dropout';
    const tr = h(
      'tr',
      { class: `${MAJOR.has(r.kind) ? '' : 'minor'} ${clickable ? 'clickable' : ''}`, dataset: { layer: r.name }, ...(clickable && { tabindex: '0' }) },
      h('th', { scope: 'row' }, r.name),
      h('td', { class: 'kind' }, r.kind),
      h('td', null, r.outputShape.join('×')),
      h('td', { class: 'kind' }, r.kind === 'conv' || r.kind === 'maxpool' ? operationOf(r, model.numClasses) : ''),
      h('td', null, r.params ? r.params.toLocaleString('en-US') : ''),
      h('td', null, r.params ? pct(r.params, totalParams) : ''),
      h('td', null, r.flops ? compact(r.flops) : ''),
      h('td', null, r.flops ? pct(r.flops, totalFlops) : ''),
      opts.extra ? h('td', { class: 'kind muted' }, opts.extra.cell(r.name)) : null,
    );
    if (clickable) {
      const open = () => opts.onOpen!(r.name, r.kind);
      tr.addEventListener('click', open);
      tr.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          open();
        }
      });
    }
    return tr;
  });
  const headers = ['Layer', 'Kind', 'Output', 'Kernel', 'Parameters', '% params', 'FLOPs', '% FLOPs', ...(opts.extra ? [opts.extra.header] : [])];
  return h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      { class: 'layers', id: 'layer-table' },
      h('caption', { class: 'meta' }, `Every layer of AlexNet ${model.variant}: output shape, kernel/stride, padding and groups, parameters and FLOPs with their share of the total`),
      h('thead', null, h('tr', null, ...headers.map((t, i) => h('th', { scope: 'col', class: i === 1 || i === 3 || i === 8 ? 'kind' : '' }, t)))),
      h('tbody', null, ...rows),
      h('tfoot', null, h('tr', null, h('th', { scope: 'row' }, 'total'), h('td'), h('td'), h('td'), h('td', { class: 'total-params' }, totalParams.toLocaleString('en-US')), h('td', null, '100%'), h('td', null, compact(totalFlops)), h('td', null, '100%'), opts.extra ? h('td') : null)),
    ),
  );
}
