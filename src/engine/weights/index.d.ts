export type { HostTensor } from './hostTensor';
export { loadWeightsFile, loadWeightsBuffer, WeightsFileError } from './loadWeights';
export type { LoadedWeights, WeightsFormat, WeightsTarget } from './loadWeights';
export { WeightsMismatchError, detectVariant, inferSpecOptions } from './fitToSpec';
export { saveWeightsFile, weightsMetadata, WEIGHTS_FORMAT_TAG } from './savedWeights';
export type { SaveWeightsOptions } from './savedWeights';
export { saveSafetensors, readSafetensors, encodeSafetensors } from './safetensors';
export { oihwToHwio, hwioToOihw, transpose2d, chwRowsToHwc, hwcRowsToChw, expandGroupedConv } from './layout';
export { PickleRefusedError } from './pickle';
