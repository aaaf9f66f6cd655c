import type { ModelSpec, Normalisation } from '../model/spec';
import { type DecodedImage, type DecodeOptions, type RgbImage } from './decode';
import { type ResampleFilter } from './resize';
/** The parts of a ModelSpec preprocessing reads. */
export type PreprocessSpec = Pick<ModelSpec, 'inputSize' | 'resizeTo' | 'normalisation'>;
/** Top-left corner of torchvision's CenterCrop: int(round((size - crop) / 2)) on each axis. */
export declare function centerCropOrigin(width: number, height: number, cropWidth: number, cropHeight?: number): {
    x: number;
    y: number;
};
/** Copies the region at (x, y), optionally mirrored left-right (the flip happens inside the crop). */
export declare function cropRgb(img: RgbImage, x: number, y: number, width: number, height: number, flip?: boolean): RgbImage;
/** torchvision's CenterCrop(size) for an image at least that big. */
export declare function centerCrop(img: RgbImage, size: number): RgbImage;
/** Resize(spec.resizeTo): the shorter side becomes resizeTo, as torchvision does on a PIL image. */
export declare function resizeForModel(img: RgbImage, spec: Pick<ModelSpec, 'resizeTo'>, filter?: ResampleFilter): RgbImage;
/**
 * Writes the normalised HWC float32 values of `img` into `out` at `offset` (default: a new array).
 * Channel order follows the normalisation (RGB for imagenet-rgb, BGR for caffe-bgr).
 */
export declare function normalise(img: RgbImage, norm: Normalisation, out?: Float32Array, offset?: number): Float32Array;
/** Resize + centre crop, as 8-bit RGB (what the webview shows as "what the network sees"). */
export declare function modelView(img: RgbImage, spec: PreprocessSpec): RgbImage;
export interface ModelInput {
    /** NHWC float32 */
    data: Float32Array;
    shape: [number, number, number, 3];
}
/** One image to a [1, inputSize, inputSize, 3] input. */
export declare function preprocess(img: RgbImage, spec: PreprocessSpec): ModelInput;
/** Several images to one [n, inputSize, inputSize, 3] batch. */
export declare function preprocessBatch(imgs: readonly RgbImage[], spec: PreprocessSpec): ModelInput;
/** Decode + preprocess a file; the decoded image comes back too (for display and its source info). */
export declare function preprocessFile(path: string, spec: PreprocessSpec, opts?: DecodeOptions): Promise<ModelInput & {
    image: DecodedImage;
}>;
