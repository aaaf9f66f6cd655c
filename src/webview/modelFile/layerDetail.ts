// What a click (or Enter/Space) on a block or a layer row of the weights viewer shows: that
// layer's figures and the file's own tensors for it (name, shape, statistics, histogram), with
// those rows marked in the tensor table. The viewer shows a file, not the loaded model, so it
// answers from the file's numbers rather than opening the model's filters view.
// Contract for tests: section#layer-detail[data-layer] > table.layer-tensors tr[data-name];
// table.tensors tr.selected.
import { h, replaceChildren } from '../shared/dom';
import { compact, operationOf, pct, type ArchitectureModel } from '../shared/architecture/layout';
import type { AlexNetBinding, TensorStats } from '../../protocol/engine/modelFiles';
import { NUMERIC_COLUMNS, TENSOR_COLUMNS, tensorCells } from './tensorCells';

/** The file's tensors for a layer: through the loader's key mapping, else by canonical name. */
export function layerTensors(a: AlexNetBinding, tensors: TensorStats[], layer: string): TensorStats[] {
  const byName = new Map(tensors.map((t) => [t.name, t]));
  return ['weight', 'bias']
    .map((p) => byName.get(a.sources[`${layer}.${p}`] ?? `${layer}.${p}`))
    .filter((t): t is TensorStats => !!t);
}

export function emptyLayerDetail(): HTMLElement {
  // aria-live: a screen reader hears the detail when Enter on a block fills it
  return h('section', { id: 'layer-detail', class: 'layer-detail', 'aria-live': 'polite', hidden: true });
}

export function showLayerDetail(section: HTMLElement, model: ArchitectureModel, a: AlexNetBinding, tensors: TensorStats[], layer: string): void {
  const row = model.layers.find((l) => l.name === layer);
  if (!row) return;
  const own = layerTensors(a, tensors, layer);
  const figures = [
    `${row.kind}, output ${row.outputShape.join('×')}`,
    row.kind === 'conv' || row.kind === 'maxpool' ? operationOf(row, model.numClasses) : '',
    row.params ? `${row.params.toLocaleString('en-US')} parameters (${pct(row.params, model.totalParams)})` : 'no parameters',
    row.flops ? `${compact(row.flops)}FLOPs (${pct(row.flops, model.totalFlops)})` : '',
  ].filter(Boolean).join(' · ');
  section.dataset.layer = layer;
  section.hidden = false;
  replaceChildren(
    section,
    h('h3', null, `${layer}: ${figures}`),
    own.length
      ? h('div', { class: 'scroll' }, h('table', { class: 'layer-tensors', 'aria-label': `${layer}'s tensors in this file` },
          h('thead', null, h('tr', null, ...TENSOR_COLUMNS.map((c) => h('th', { scope: 'col', class: NUMERIC_COLUMNS.has(c) ? 'num' : '' }, c)))),
          h('tbody', null, ...own.map((t) => h('tr', { dataset: { name: t.name } }, ...tensorCells(t))))))
      : h('p', { class: 'meta' }, `${layer} has no weights in the file.`),
    layer === 'conv1' && a.conv1.shape[2] === 3 ? h('p', { class: 'meta' }, "conv1's filters are drawn above as RGB tiles.") : null,
  );
  const names = new Set(own.map((t) => t.name));
  for (const tr of document.querySelectorAll<HTMLElement>('table.tensors tbody tr')) tr.classList.toggle('selected', names.has(tr.dataset.name ?? ''));
}
