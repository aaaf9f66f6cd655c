export declare const DataType: {
    readonly FLOAT: 1;
    readonly INT64: 7;
};
export type AttrValue = {
    kind: 'int';
    value: number;
} | {
    kind: 'float';
    value: number;
} | {
    kind: 'ints';
    value: number[];
} | {
    kind: 'string';
    value: string;
};
export interface OnnxNode {
    op: string;
    inputs: string[];
    outputs: string[];
    name?: string;
    attrs?: Record<string, AttrValue>;
}
/** Where a tensor's bytes lie in a file next to the model (TensorProto.external_data). */
export interface ExternalDataRef {
    /** file name, relative to the model file's folder */
    location: string;
    offset: number;
    length: number;
}
export interface OnnxTensor {
    name: string;
    dims: number[];
    /** float32 data, or int64 values as numbers */
    data: Float32Array | {
        int64: number[];
    };
    /** when set, the model refers to these bytes instead of embedding `data` */
    external?: ExternalDataRef;
}
/** A dimension: a fixed size, or a name for a symbolic one (the batch). */
export type Dim = number | string;
export interface OnnxValueInfo {
    name: string;
    dims: Dim[];
}
export interface OnnxGraph {
    name: string;
    nodes: OnnxNode[];
    initializers: OnnxTensor[];
    inputs: OnnxValueInfo[];
    outputs: OnnxValueInfo[];
}
export declare const int: (value: number) => AttrValue;
export declare const float: (value: number) => AttrValue;
export declare const ints: (value: number[]) => AttrValue;
export interface ModelOptions {
    opset?: number;
    producer?: string;
}
/** The serialised ModelProto, ready for InferenceSession.create(bytes). */
export declare function encodeModel(g: OnnxGraph, opts?: ModelOptions): Uint8Array;
