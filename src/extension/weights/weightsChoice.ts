// Which weights a variant runs with, from what is known about them (no vscode, no I/O, so the
// order is unit-tested): the user's setting first, then a choice made in this session (a file
// loaded, or "untrained"), then the verified managed download; otherwise the user is asked.
import type { WeightsSource } from '../../protocol/engine';

export interface WeightsFacts {
  /** `alexnet.weights.path`, expanded; undefined when blank */
  settingPath?: string;
  /** what the user picked in this session for this variant */
  sessionChoice?: WeightsSource;
  /** the verified copy in global storage, if any */
  managedPath?: string;
}

export type WeightsDecision =
  | { source: WeightsSource; origin: 'setting' | 'session' | 'managed' }
  | { source?: undefined; origin: 'ask' };

export function chooseWeights(facts: WeightsFacts): WeightsDecision {
  if (facts.settingPath) return { source: { kind: 'file', path: facts.settingPath }, origin: 'setting' };
  if (facts.sessionChoice) return { source: facts.sessionChoice, origin: 'session' };
  if (facts.managedPath) return { source: { kind: 'file', path: facts.managedPath }, origin: 'managed' };
  return { origin: 'ask' };
}

/** Short words for the status bar and result views. */
export function describeWeights(decision: WeightsDecision): { text: string; untrained: boolean } {
  if (decision.origin === 'ask') return { text: 'no weights', untrained: false };
  const src = decision.source;
  if (src.kind === 'random') return { text: 'untrained (random weights)', untrained: true };
  if (decision.origin === 'managed') return { text: 'pretrained', untrained: false };
  return { text: baseName(src.path), untrained: false };
}

function baseName(p: string): string {
  return p.split(/[\\/]/).filter(Boolean).pop() ?? p;
}
