// Mean softmax cross-entropy and its gradient. The target comes in as one-hot rows already divided
// by the batch size (the caller knows it; the graph needs no shape arithmetic), so
//   loss = -sum(target * log softmax(z)),  dL/dz = softmax(z) * rowsum(target) - target.
import type { TrainGraph } from './graphBuilder';

export function softmaxCrossEntropy(g: TrainGraph, logits: string, target: string): { loss: string; dLogits: string } {
  let logp: string;
  if (g.opts.gpuSafe) {
    // no LogSoftmax kernel on WebGPU: an explicit, max-shifted log-sum-exp
    const shifted = g.sub(logits, g.op('ReduceMax', [logits], { axes: [1], keepdims: 1 }));
    logp = g.sub(shifted, g.op('Log', [g.reduceSum(g.op('Exp', [shifted]), [1], 1)]));
  } else {
    logp = g.op('LogSoftmax', [logits], { axis: 1 });
  }
  const loss = g.op('Neg', [g.op('ReduceSum', [g.mul(logp, target)], { keepdims: 0 })]);
  const dLogits = g.sub(g.mul(g.op('Exp', [logp]), g.reduceSum(target, [1], 1)), target);
  return { loss, dLogits };
}
