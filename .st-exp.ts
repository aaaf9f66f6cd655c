import * as ort from 'onnxruntime-node';
import { makeSpec, inspectableLayers } from './src/engine/model/spec';
import { buildOnnxGraph } from './src/engine/onnx/graph';
import { encodeModel } from './src/engine/onnx/onnxProto';
import { fixedParams, fixedBatch } from './src/engine/onnx/selfTestChild';
import { sessionOptionsFor } from './src/engine/onnx/devices';
(async () => {
  const variant = (process.argv[2] ?? 'torchvision') as 'torchvision';
  const spec = makeSpec(variant);
  const collect = inspectableLayers(spec).filter((l) => l !== 'prob');
  const params = fixedParams(spec); const n = Number(process.argv[3] ?? 2); const x = fixedBatch(spec, n);
  const b = buildOnnxGraph(spec, params, { collect });
  const bytes = encodeModel(b.graph);
  const outs: Record<string, Float32Array>[] = [];
  for (const d of ['cpu', 'webgpu'] as const) {
    let t0 = performance.now();
    const s = await ort.InferenceSession.create(bytes, sessionOptionsFor(d) as ort.InferenceSession.SessionOptions);
    const feeds = { [b.inputName]: new ort.Tensor('float32', x, [n, spec.inputSize, spec.inputSize, 3]) };
    const c = performance.now() - t0; t0 = performance.now();
    const o = await s.run(feeds); const r1 = performance.now() - t0; t0 = performance.now();
    await s.run(feeds); const r2 = performance.now() - t0;
    console.log(d, `create ${c.toFixed(0)} run1 ${r1.toFixed(0)} run2 ${r2.toFixed(0)} ms = ${(1000 * n / r2).toFixed(1)} img/s`);
    outs.push(Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v.data as Float32Array])));
  }
  console.log(['probabilities', ...collect].map((c) => { const key = c === 'probabilities' ? b.probabilitiesName : b.activationNames.get(c)!; const a = outs[0][key], q = outs[1][key]; let m = 0, sc = 0; for (let i = 0; i < a.length; i++) { m = Math.max(m, Math.abs(a[i] - q[i])); sc = Math.max(sc, Math.abs(a[i])); } return `${c}:${(m / sc).toExponential(0)}`; }).join(' '));
})();
