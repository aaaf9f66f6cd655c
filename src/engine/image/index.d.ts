export { ImageDecodeError, isImageDecodeError, type ImageErrorCode } from './errors';
export { isImagePath, sniffFormat, type ImageFormat } from './formats';
export { DEFAULT_MAX_PIXELS, cmykToRgb, decodeImage, decodeImageFile, type DecodedImage, type DecodeOptions, type RgbImage, type SourceInfo, } from './decode';
export { resizeRgb, resizeShorterSide, shorterSideTarget, type ResampleFilter } from './resize';
export { centerCrop, centerCropOrigin, cropRgb, modelView, normalise, preprocess, preprocessBatch, preprocessFile, resizeForModel, type ModelInput, type PreprocessSpec, } from './preprocess';
