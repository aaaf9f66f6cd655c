// Every request the engine answers, on one engine instance (server.ts builds it; tests build
// their own).
import type { Handlers } from './context';
import type { Engine } from '../engine';
import { createCoreHandlers } from './core';
import { createTrainHandlers } from './train';
import { createInspectHandlers } from './inspect';
import { modelFileHandlers } from './modelFiles';
import { createProjectHandlers } from './project';

export function createHandlers(engine: Engine): Handlers {
  return { ...createCoreHandlers(engine), ...createTrainHandlers(engine), ...createInspectHandlers(engine), ...modelFileHandlers, ...createProjectHandlers(engine) };
}
