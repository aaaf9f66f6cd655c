import type { RgbImage } from './decode';
export type ResampleFilter = 'bilinear' | 'bicubic';
/** Resizes an RGB image exactly as Pillow's Image.resize((width, height), BILINEAR | BICUBIC) does. */
export declare function resizeRgb(img: RgbImage, width: number, height: number, filterName?: ResampleFilter): RgbImage;
/**
 * torchvision's Resize(size) target for an int size: the shorter side becomes `size`, the longer
 * int(size * long / short) (truncated, as Python's int() does).
 */
export declare function shorterSideTarget(width: number, height: number, size: number): {
    width: number;
    height: number;
};
/** torchvision.transforms.Resize(size) on a PIL image (bilinear, antialiased): the shorter side becomes `size`. */
export declare function resizeShorterSide(img: RgbImage, size: number, filter?: ResampleFilter): RgbImage;
