import { HostTensor } from './hostTensor';
/** PyTorch conv weight [out, in, kh, kw] -> [kh, kw, in, out]. */
export declare function oihwToHwio(t: HostTensor): HostTensor;
/** Canonical conv weight [kh, kw, in, out] -> PyTorch's [out, in, kh, kw]. */
export declare function hwioToOihw(t: HostTensor): HostTensor;
/** A 2-D transpose: PyTorch Linear [out, in] <-> canonical dense [in, out]. */
export declare function transpose2d(t: HostTensor): HostTensor;
/**
 * Reorders the input rows of a dense weight [in, out] whose inputs came from a C,H,W flatten
 * (PyTorch's NCHW view) into the H,W,C flatten the tfjs model produces (NHWC reshape).
 */
export declare function chwRowsToHwc(t: HostTensor, channels: number, height: number, width: number): HostTensor;
/** The inverse of chwRowsToHwc (for writing PyTorch-layout weights). */
export declare function hwcRowsToChw(t: HostTensor, channels: number, height: number, width: number): HostTensor;
/**
 * A grouped conv weight [kh, kw, in/groups, out] as the equivalent full conv [kh, kw, in, out]:
 * filter f (group g = f / (out/groups)) keeps its weights on inputs [g*in/groups, (g+1)*in/groups)
 * and has exact zeros on every other input.
 */
export declare function expandGroupedConv(t: HostTensor, groups: number): HostTensor;
