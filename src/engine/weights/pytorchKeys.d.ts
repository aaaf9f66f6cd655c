import { HostTensor } from './hostTensor';
export type KeyStyle = 'torchvision' | 'notebook' | 'canonical' | 'unknown';
/** torchvision.models.AlexNet: features / avgpool / classifier (Dropout at 0 and 3). */
export declare const TORCHVISION_MODULES: Record<string, string>;
/**
 * The original notebook's module (see test/fixtures/make_parity.py for its definition):
 *   convolution:     0 conv1, 1 relu, 2 lrn, 3 pool, 4 conv2, 5 relu, 6 lrn, 7 pool,
 *                    8 conv3, 9 relu, 10 conv4, 11 relu, 12 conv5, 13 relu, 14 pool
 *   fully_connected: 0 fc6, 1 relu, 2 dropout, 3 fc7, 4 relu, 5 dropout, 6 fc8
 */
export declare const NOTEBOOK_MODULES: Record<string, string>;
export declare function detectKeyStyle(keys: string[]): KeyStyle;
export interface CanonicalParams {
    params: Record<string, HostTensor>;
    /** canonical name -> the key it came from (for messages) */
    sources: Record<string, string>;
}
/** Renames and re-lays-out PyTorch tensors; keys it does not know are kept as they are (reported as unexpected later). */
export declare function pytorchToCanonical(tensors: Record<string, HostTensor>, style: KeyStyle): CanonicalParams;
