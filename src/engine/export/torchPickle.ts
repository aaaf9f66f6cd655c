// The data.pkl of a torch.save'd state_dict, written opcode by opcode (pickle protocol 2), with
// only what `torch.load(..., weights_only=True)` allows: collections.OrderedDict,
// torch._utils._rebuild_tensor_v2 and torch.FloatStorage behind persistent ids
// ('storage', FloatStorage, key, 'cpu', numel). Tensors are contiguous float32.

const OP = {
  PROTO: 0x80, GLOBAL: 0x63, EMPTY_TUPLE: 0x29, REDUCE: 0x52, MARK: 0x28, TUPLE: 0x74, SETITEMS: 0x75,
  BINUNICODE: 0x58, BININT: 0x4a, BININT1: 0x4b, BININT2: 0x4d, BINPERSID: 0x51, NEWFALSE: 0x89, STOP: 0x2e,
} as const;

class PickleBytes {
  private parts: number[] = [];
  op(code: number): this {
    this.parts.push(code);
    return this;
  }
  global(module: string, name: string): this {
    this.op(OP.GLOBAL);
    for (const b of Buffer.from(`${module}\n${name}\n`, 'utf8')) this.parts.push(b);
    return this;
  }
  text(s: string): this {
    const b = Buffer.from(s, 'utf8');
    this.op(OP.BINUNICODE).u32(b.length);
    for (const x of b) this.parts.push(x);
    return this;
  }
  int(n: number): this {
    if (!Number.isInteger(n) || n < 0 || n > 0x7fffffff) throw new Error(`pickle int out of range: ${n}`);
    if (n < 0x100) return this.op(OP.BININT1).byte(n);
    if (n < 0x10000) return this.op(OP.BININT2).byte(n & 0xff).byte(n >> 8);
    return this.op(OP.BININT).u32(n);
  }
  tuple(items: number[]): this {
    if (!items.length) return this.op(OP.EMPTY_TUPLE);
    this.op(OP.MARK);
    for (const i of items) this.int(i);
    return this.op(OP.TUPLE);
  }
  private byte(b: number): this {
    this.parts.push(b & 0xff);
    return this;
  }
  private u32(n: number): this {
    return this.byte(n).byte(n >>> 8).byte(n >>> 16).byte(n >>> 24);
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

export interface PickledTensor {
  key: string;
  shape: number[];
  /** the storage record's name (data/<storageKey> in the archive) */
  storageKey: string;
}

function contiguousStrides(shape: number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

export function stateDictPickle(tensors: PickledTensor[]): Uint8Array {
  const p = new PickleBytes();
  p.op(OP.PROTO).op(2);
  p.global('collections', 'OrderedDict').op(OP.EMPTY_TUPLE).op(OP.REDUCE);
  p.op(OP.MARK);
  for (const t of tensors) {
    const numel = t.shape.reduce((a, b) => a * b, 1);
    p.text(t.key);
    p.global('torch._utils', '_rebuild_tensor_v2');
    p.op(OP.MARK);
    p.op(OP.MARK).text('storage').global('torch', 'FloatStorage').text(t.storageKey).text('cpu').int(numel).op(OP.TUPLE).op(OP.BINPERSID);
    p.int(0);
    p.tuple(t.shape);
    p.tuple(contiguousStrides(t.shape));
    p.op(OP.NEWFALSE);
    p.global('collections', 'OrderedDict').op(OP.EMPTY_TUPLE).op(OP.REDUCE); // backward hooks
    p.op(OP.TUPLE).op(OP.REDUCE);
  }
  p.op(OP.SETITEMS).op(OP.STOP);
  return p.bytes();
}
