// Inspection request handlers: filters, feature maps, Grad-CAM (owned by the inspect feature).
import type { Handler } from './context';
import type { InspectRequests } from '../protocol/inspect';

export const inspectHandlers: { [M in keyof InspectRequests]: Handler<M & never> } = {};
