// The paper's optimiser (Krizhevsky et al. 2012, section 5):
//   v <- momentum * v - weightDecay * lr * w - lr * dL/dw
//   w <- w + v
import * as tf from '@tensorflow/tfjs-core';
import { wasmMomentumStep } from '../backend/wasmSgd';

export class MomentumSgd {
  readonly velocity = new Map<string, tf.Variable>();

  constructor(readonly momentum: number, readonly weightDecay: number) {}

  /** Velocity buffers start at zero, or from a checkpoint. */
  init(vars: Record<string, tf.Variable>, saved?: Record<string, Float32Array>): void {
    for (const [name, w] of Object.entries(vars)) {
      const init = saved?.[name];
      // tidy disposes the initial value; the variable keeps its own reference
      this.velocity.set(name, tf.tidy(() => tf.variable(init ? tf.tensor(init, w.shape, 'float32') : tf.zerosLike(w), false)));
    }
  }

  /** One update of every variable that has a gradient. */
  apply(vars: Record<string, tf.Variable>, grads: Record<string, tf.Tensor>, lr: number): void {
    tf.tidy(() => {
      for (const [name, g] of Object.entries(grads)) {
        const w = vars[name];
        const v = this.velocity.get(name);
        if (!w || !v) throw new Error(`no variable or velocity for ${name}`);
        const fused = wasmMomentumStep(w, v, g, { momentum: this.momentum, decay: this.weightDecay * lr, lr });
        if (fused) {
          v.assign(fused.v);
          w.assign(fused.w);
          continue;
        }
        const vNext = tf.sub(tf.sub(tf.mul(v, this.momentum), tf.mul(w, this.weightDecay * lr)), tf.mul(g, lr));
        v.assign(vNext);
        w.assign(tf.add(w, vNext));
      }
    });
  }

  dispose(): void {
    for (const v of this.velocity.values()) v.dispose();
    this.velocity.clear();
  }
}
