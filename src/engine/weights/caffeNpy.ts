// bvlc_alexnet.npy (caffe-tensorflow's conversion of the BVLC Caffe model), read as the original
// notebook does: np.load(path, encoding='latin1', allow_pickle=True).item() -> {name: [weights, biases]}.
// Its layout already is the canonical one: conv HWIO with the grouped input depth (conv2 5x5x48x256),
// fc [in, out] with fc6's inputs in H,W,C order. So only names change: 'conv1' -> conv1.weight/.bias.
import { HostTensor } from './hostTensor';
import { NpyValue } from './npy';
import { PyDict } from './pickle';

function asTensor(v: unknown, what: string): HostTensor {
  const nv = v as NpyValue;
  if (nv && nv.kind === 'numeric') return nv.tensor;
  throw new Error(`${what} is not a numeric array`);
}

/** The canonical tensors of a Caffe-converted .npy (a 0-d object array holding the dict). */
export function caffeNpyToCanonical(value: NpyValue): Record<string, HostTensor> {
  if (value.kind !== 'object' || value.objects.length !== 1 || !(value.objects[0] instanceof PyDict))
    throw new Error('this .npy does not hold a dict of layers (expected the bvlc_alexnet.npy layout: name -> [weights, biases])');
  const out: Record<string, HostTensor> = {};
  for (const [rawName, entry] of value.objects[0]) {
    const name = String(rawName);
    let weights: unknown;
    let biases: unknown;
    if (Array.isArray(entry)) {
      // [weights, biases]; some conversions store only the weights
      [weights, biases] = entry;
    } else if (entry instanceof PyDict) {
      // caffe-tensorflow's later layout: {'weights': ..., 'biases': ...}
      weights = entry.get('weights');
      biases = entry.get('biases');
    } else {
      throw new Error(`layer '${name}' is neither [weights, biases] nor {'weights', 'biases'}`);
    }
    if (weights !== undefined) out[`${name}.weight`] = asTensor(weights, `${name} weights`);
    if (biases !== undefined) out[`${name}.bias`] = asTensor(biases, `${name} biases`);
  }
  return out;
}
