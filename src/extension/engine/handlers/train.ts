// Training request handlers (owned by the training feature).
import type { Handler } from './context';
import type { TrainRequests } from '../protocol/train';

export const trainHandlers: { [M in keyof TrainRequests]: Handler<M & never> } = {};
