import type { ChannelMaps } from '../../protocol/engine/inspect';
export type { ChannelMaps };
/** A layer's output held in plain memory (from ONNX Runtime, or read once from a tf tensor). */
export interface HostActivation {
    /** NHWC [n,h,w,c] for spatial layers, [n,units] for flat ones */
    shape: readonly number[];
    data: Float32Array;
}
/** First item of an NHWC ([1,h,w,c]) or dense ([1,units]) activation. */
export declare function channelMaps(act: HostActivation): ChannelMaps;
/** Channel indices ordered by mean activation, strongest first (ties: lower index first). */
export declare function channelsByMean(maps: Pick<ChannelMaps, 'channelMean'>, limit?: number): number[];
