// The model variants, as names both sides of the protocol share (the engine's layers for each
// live in src/engine/model/spec.ts).
export type VariantName = 'paper' | 'caffe' | 'torchvision';
export const VARIANTS: readonly VariantName[] = ['paper', 'caffe', 'torchvision'];
