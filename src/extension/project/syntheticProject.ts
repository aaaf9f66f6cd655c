// A synthetic project view of N points (clusters of drawn thumbnails), for measuring how the
// scatter draws 5,000 images without computing 5,000 images' features. Only reachable from the
// palette when the e2e tests set ALEXNET_E2E_DEBUG (the context key alexnet.e2eDebug).
import { randomUUID } from 'node:crypto';
import type { ProjectView } from '../../protocol/webview/project';

export function syntheticProjectView(n: number, thumbSize = 32, classes = 10): ProjectView {
  let s = 12345;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const coords = new Float32Array(n * 2);
  const thumbnails = new Uint8Array(n * thumbSize * thumbSize * 3);
  const centres = Array.from({ length: classes }, () => [rand() * 1.6 - 0.8, rand() * 1.6 - 0.8]);
  const points = Array.from({ length: n }, (_, i) => {
    const c = i % classes;
    const r = Math.sqrt(rand()) * 0.18;
    const a = rand() * Math.PI * 2;
    coords[i * 2] = centres[c][0] + r * Math.cos(a);
    coords[i * 2 + 1] = centres[c][1] + r * Math.sin(a);
    const base = i * thumbSize * thumbSize * 3;
    for (let p = 0; p < thumbSize * thumbSize; p++) {
      const x = p % thumbSize, y = Math.floor(p / thumbSize);
      thumbnails[base + p * 3] = (c * 47 + x * 5) & 255;
      thumbnails[base + p * 3 + 1] = (c * 91 + y * 5) & 255;
      thumbnails[base + p * 3 + 2] = (i * 13) & 255;
    }
    return { path: `/synthetic/class${c}/${i}.png`, rel: `class${c}/${i}.png`, folderClass: c, top: [{ index: c, probability: 0.9 }, { index: (c + 1) % classes, probability: 0.05 }] };
  });
  return {
    id: randomUUID(),
    folder: '/synthetic',
    title: `Project: ${n} synthetic points`,
    points,
    folderClasses: Array.from({ length: classes }, (_, c) => `class${c}`),
    classNames: Array.from({ length: classes }, (_, c) => `class ${c}`),
    thumbSize,
    thumbnails,
    coords,
    method: 'umap',
    explained: [0, 0],
    weightsLabel: 'synthetic',
    untrained: false,
    variant: 'none',
    runtime: 'none',
    layer: 'none',
    dims: 0,
    stats: { images: n, computed: 0, cached: 0, failed: 0, ms: 0 },
    failures: [],
  };
}
