// The architecture view: the diagram of the loaded model (shared/architecture: boxes in the
// style of the paper's figure 2, fitted to the panel's width) and the table of every layer (the
// `alexnet info` numbers). A block or a row opens the layer's filters (conv) or feature maps.
// Ids used by the e2e tests: #status[data-state], svg#diagram g.block[data-layer], table.layers.
import '../shared/litNonce';
import { h, replaceChildren } from '../shared/dom';
import { bootWebview } from '../shared/boot';
import { architectureDiagram } from '../shared/architecture/diagram';
import { layerTable } from '../shared/architecture/table';
import type { ArchitectureModel } from '../shared/architecture/layout';
import type { ArchitectureView, WebviewToHost, ArchitectureProtocol } from '../../protocol/webview/architecture';

const page = bootWebview<ArchitectureProtocol>();
const { api, app } = page;
const send = (m: WebviewToHost) => api.post(m);
const openLayer = (layer: string, kind: string) => send({ type: 'openLayer', layer, kind });

function render(view: ArchitectureView): void {
  const { info } = view;
  const model: ArchitectureModel = { ...info, numClasses: view.numClasses };
  replaceChildren(
    app,
    h('h1', null, `AlexNet (${info.variant})`),
    h('p', { class: 'meta' }, `${view.weightsLabel} · input ${info.inputSize}×${info.inputSize}×3 · ${info.totalParams.toLocaleString('en-US')} parameters · ${(info.totalFlops / 1e9).toFixed(2)} GFLOPs per image (a multiply-add counts 2) · ${info.backend.label}`),
    view.untrained ? h('div', { class: 'banner', role: 'note' }, h('strong', null, 'Untrained (random weights). '), 'The shapes are real; the filters and activations are noise.') : null,
    h('p', { class: 'meta' }, 'Click a conv layer (or Tab to it, then Enter) to see its filters, any other layer to see its feature maps for an image. The arrow keys step between layers.'),
    architectureDiagram(model, {
      onOpen: (b) => openLayer(b.name, b.kind),
      hint: (b) => (b.kind === 'conv' ? 'Enter: filters' : 'Enter: feature maps'),
      describedBy: 'layer-table',
    }),
    layerTable(model, { onOpen: openLayer }),
    h('p', { id: 'status', class: 'status', dataset: { state: 'done' } }),
  );
}

function setStatus(kind: 'busy' | 'error', text: string): void {
  replaceChildren(app, h('p', { id: 'status', class: 'status', dataset: { state: kind }, role: kind === 'error' ? 'alert' : 'status' }, text));
}

page.onMessage((msg) => {
  switch (msg.type) {
    case 'model':
      api.setState({ view: msg.view });
      render(msg.view);
      break;
    case 'busy':
      if (!api.getState()?.view) setStatus('busy', msg.message);
      break;
    case 'error':
      setStatus('error', msg.message);
      break;
  }
});

const saved = api.getState()?.view;
if (saved) render(saved);
send({ type: 'ready' });
