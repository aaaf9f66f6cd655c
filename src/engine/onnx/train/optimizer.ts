// Parameter updates in the graph, with PyTorch's semantics.
//  SGD (momentum mu, weight decay wd, dampening 0) in heavy-ball form: with v = (W_prev - W) / lr,
//    W' = W + mu_eff (W - W_prev) - lr (g + wd W)
//  so the state is the previous weights and the only outputs are the new weights. mu_eff is an input:
//  mu normally, mu * lr / lr_prev on the first step after the learning rate changes (PyTorch's buffer
//  holds gradients, not displacements), 0 on the first step. Dense weights can fold the update into the
//  weight-gradient Gemm: W' = Gemm(x^T, -lr dz, C = (1 + mu - lr wd) W - mu W_prev).
//  Adam (torch.optim.Adam, L2 weight decay added to the gradient):
//    m' = b1 m + (1-b1) g;  v' = b2 v + (1-b2) g^2;  W' = W - stepSize m' / (sqrt(v') / sqrt(bc2) + eps)
//  with stepSize = lr / (1 - b1^t) and sqrt(bc2) = sqrt(1 - b2^t) computed by the caller from the step count t.
//  A graph may take several steps per run (step.ts): the scalars of step k are inputs `<name>@k`.
//  Optional global gradient-norm clipping (torch.nn.utils.clip_grad_norm_, before weight decay):
//    g *= min(1, maxNorm / (||g||_2 + 1e-6)) over all parameters together; maxNorm is an input.
import type { Dim } from '../onnxProto';
import type { TrainGraph } from './graphBuilder';
import type { ParamGrad } from './layers';

export type OptimizerKind = 'sgd' | 'adam';

export interface OptimizerSpec {
  kind: OptimizerKind;
  weightDecay: number;
  /** SGD: the momentum is an input (mu_eff); Adam: */
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** clip the global gradient norm (maxNorm is an input) */
  clip?: boolean;
}

/** Scalar graph inputs of each optimiser (shape [] each; sub-step k of a run: `${name}@${k}`). */
export const SCALAR_INPUTS = { sgd: ['lr', 'mu'], adam: ['stepSize', 'bc2sqrt'] } as const;

/** The graph name of a per-step input or output in sub-step `k` of a run (step 0 keeps the plain name). */
export function subStep(name: string, k: number): string {
  return k === 0 ? name : `${name}@${k}`;
}

/** State tensors per parameter, by prefix (graph input `${prefix}${name}`, output `new.${prefix}${name}`). */
export function statePrefixes(kind: OptimizerKind): string[] {
  return kind === 'sgd' ? ['prev.'] : ['m.', 'v.'];
}

export interface ParamIO {
  /** graph input of the weights */
  w: string;
  dims: Dim[];
  state: Record<string, string>;
}

/** The updated tensors of one parameter: its weights and its optimiser state by prefix. */
export interface ParamNext {
  w: string;
  state: Record<string, string>;
}

/** Adds the updates of sub-step `k`; returns each parameter's new tensors (the caller makes the last step's outputs). */
export function addUpdates(g: TrainGraph, opt: OptimizerSpec, grads: ParamGrad[], io: Map<string, ParamIO>, k = 0): { next: Map<string, ParamNext>; gradNorm?: string } {
  const next = new Map<string, ParamNext>();
  const fuse = opt.kind === 'sgd' && !opt.clip && g.opts.fuseDenseUpdate;
  const gradOf = (p: ParamGrad): string => p.grad ?? g.op('Gemm', [p.gemm!.x, p.gemm!.dz], { transA: 1 });
  const plain = new Map<string, string>();
  for (const p of grads) if (!(fuse && p.gemm)) plain.set(p.name, gradOf(p));
  // Updates are added in forward order (grads come in backward order): ORT's default execution order is
  // a depth-first walk from the last graph output back, so the top layer's update runs first and each
  // layer's weight gradient right after its output gradient, not all of them after the whole backward
  // pass with every layer's gradient still alive.
  const order = [...grads].reverse();
  let gradNorm: string | undefined;
  if (opt.clip) {
    const sq = [...plain.values()].map((t) => g.op('ReduceSumSquare', [t], { keepdims: 0 }));
    gradNorm = g.op('Sqrt', [g.sum(sq)]);
    const maxNorm = k === 0 ? g.input('maxNorm', []) : 'maxNorm';
    const coef = g.op('Min', [g.op('Div', [maxNorm, g.add(gradNorm, g.scalar(1e-6))]), g.scalar(1)]);
    for (const [n, t] of plain) plain.set(n, g.mul(t, coef));
  }
  if (opt.kind === 'sgd') {
    const lr = g.input(subStep('lr', k), []);
    const mu = g.input(subStep('mu', k), []);
    // c1 = 1 + mu - lr wd
    const c1 = g.sub(g.add(g.scalar(1), mu), g.mul(lr, g.scalar(opt.weightDecay)));
    const negLr = g.op('Neg', [lr]);
    for (const p of order) {
      const { w, state } = io.get(p.name)!;
      const base = g.sub(g.mul(w, c1), g.mul(state['prev.'], mu));
      const nw = fuse && p.gemm ? g.op('Gemm', [p.gemm.x, g.mul(p.gemm.dz, negLr), base], { transA: 1 }) : g.sub(base, g.mul(plain.get(p.name)!, lr));
      // the heavy-ball state of the next step is these weights
      next.set(p.name, { w: nw, state: { 'prev.': w } });
    }
  } else {
    const stepSize = g.input(subStep('stepSize', k), []);
    const bc2sqrt = g.input(subStep('bc2sqrt', k), []);
    const b1 = opt.beta1 ?? 0.9;
    const b2 = opt.beta2 ?? 0.999;
    const eps = opt.eps ?? 1e-8;
    for (const p of order) {
      const { w, state } = io.get(p.name)!;
      let grad = plain.get(p.name)!;
      if (opt.weightDecay) grad = g.add(grad, g.mul(w, g.scalar(opt.weightDecay)));
      const m = g.add(g.mul(state['m.'], g.scalar(b1)), g.mul(grad, g.scalar(1 - b1)));
      const v = g.add(g.mul(state['v.'], g.scalar(b2)), g.mul(g.mul(grad, grad), g.scalar(1 - b2)));
      const denom = g.add(g.op('Div', [g.op('Sqrt', [v]), bc2sqrt]), g.scalar(eps));
      next.set(p.name, { w: g.sub(w, g.mul(g.op('Div', [m, denom]), stepSize)), state: { 'm.': m, 'v.': v } });
    }
  }
  return { next, gradNorm };
}
