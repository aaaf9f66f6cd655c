import type { WeightsSource } from '../../protocol/engine';
export interface WeightsFacts {
    /** `alexnet.weights.path`, expanded; undefined when blank */
    settingPath?: string;
    /** what the user picked in this session for this variant */
    sessionChoice?: WeightsSource;
    /** the verified copy in global storage, if any */
    managedPath?: string;
}
export type WeightsDecision = {
    source: WeightsSource;
    origin: 'setting' | 'session' | 'managed';
} | {
    source?: undefined;
    origin: 'ask';
};
export declare function chooseWeights(facts: WeightsFacts): WeightsDecision;
/** Short words for the status bar and result views. */
export declare function describeWeights(decision: WeightsDecision): {
    text: string;
    untrained: boolean;
};
