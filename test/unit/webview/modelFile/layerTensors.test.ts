// Which of a file's tensors the weights viewer shows for a layer clicked in its diagram: the
// loader's key mapping (torchvision's features.3.weight is conv2's), canonical names as they are
// (our safetensors, ONNX), nothing for a layer without weights.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layerTensors } from '../../../../src/webview/modelFile/layerDetail';
import type { AlexNetBinding, TensorStats } from '../../../../src/protocol/engine/modelFiles';

const stats = (name: string): TensorStats => ({ name, shape: [1], dtype: 'f32', numel: 1, min: 0, max: 0, mean: 0, std: 0, zeros: 1, histogram: [1], nonFinite: 0 });

function binding(sources: Record<string, string>): AlexNetBinding {
  return { variant: 'torchvision', keyStyle: 'x', numClasses: 2, inputSize: 224, grouped: false, layers: [], totalParams: 0, totalFlops: 0, conv1: { shape: [1, 1, 3, 1], data: new Float32Array(3) }, sources };
}

test('torchvision keys: conv2 is features.3, weight before bias', () => {
  const tensors = ['features.0.weight', 'features.0.bias', 'features.3.bias', 'features.3.weight'].map(stats);
  const a = binding({ 'conv1.weight': 'features.0.weight', 'conv1.bias': 'features.0.bias', 'conv2.weight': 'features.3.weight', 'conv2.bias': 'features.3.bias' });
  assert.deepEqual(layerTensors(a, tensors, 'conv2').map((t) => t.name), ['features.3.weight', 'features.3.bias']);
});

test('canonical names without a mapping are found as they are', () => {
  const tensors = ['fc6.weight', 'fc6.bias'].map(stats);
  assert.deepEqual(layerTensors(binding({}), tensors, 'fc6').map((t) => t.name), ['fc6.weight', 'fc6.bias']);
});

test('a layer without weights (pooling) or a bias-less file gets only what is there', () => {
  const tensors = ['conv1.weight'].map(stats);
  assert.deepEqual(layerTensors(binding({}), tensors, 'pool1'), []);
  assert.deepEqual(layerTensors(binding({}), tensors, 'conv1').map((t) => t.name), ['conv1.weight']);
});
