// Handlers for the model-file requests: the weights viewer's report, comparisons, the exporters.
import type { ModelFileRequests } from '../../protocol/engine';
import type { Handler } from './context';
import { inspectModelFile } from '../modelFile/inspectFile';
import { compareModelFiles } from '../modelFile/compareFiles';
import { exportModel } from '../export/exportModel';
import { exportPytorchProject } from '../export/pytorchProject';

type ModelFileHandlers = { [M in keyof ModelFileRequests]: Handler<M> };

export const modelFileHandlers: ModelFileHandlers = {
  async inspectModelFile({ path }, ctx) {
    return inspectModelFile(path, { signal: ctx.signal, progress: (d, t, m) => ctx.progress(d, t, m) });
  },
  async compareModelFiles({ a, b }, ctx) {
    return compareModelFiles(a, b, { signal: ctx.signal, progress: (d, t, m) => ctx.progress(d, t, m) });
  },
  async exportModel(params, ctx) {
    ctx.progress(0, 1, `Exporting ${params.format}`);
    return exportModel(params);
  },
  async exportPytorchProject(params) {
    return exportPytorchProject(params);
  },
};
