// Events are typed per request (EventOf<M>): a request's onEvent sees only what it declares.
// The @ts-expect-error lines are the test: `npm run typecheck` fails if a request's events widen
// (for instance back to a catch-all { kind: string }).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EngineEventBody, EventOf, Method } from '../../../src/protocol/engine';
import type { RequestOptions } from '../../../src/extension/engine/client';

type Kind<M extends Method> = EventOf<M>['kind'];

test('each request declares its own events', () => {
  const classify: Kind<'classify'>[] = ['progress'];
  const train: Kind<'train'>[] = ['trainStart', 'trainStep', 'trainEpoch', 'progress', 'log'];
  const synth: Kind<'inspectSynthesize'>[] = ['progress', 'synthPreview'];
  // @ts-expect-error classify sends no training events
  const wrong: Kind<'classify'> = 'trainStep';
  // @ts-expect-error loadModel sends no events at all
  const none: EventOf<'loadModel'> = { kind: 'progress', done: 1 };
  const all: EngineEventBody['kind'][] = [...classify, ...train, ...synth];
  assert.deepEqual(new Set(all), new Set(['progress', 'trainStart', 'trainStep', 'trainEpoch', 'log', 'synthPreview']));
  void wrong;
  void none;
});

test('onEvent gets the request\'s event type, narrowed by kind', () => {
  const seen: number[] = [];
  const options: RequestOptions<'inspectSynthesize'> = {
    onEvent: (e) => {
      // No casts: step and activation are numbers on synthPreview, done on progress.
      if (e.kind === 'synthPreview') seen.push(e.step, e.activation);
      else seen.push(e.done);
    },
  };
  options.onEvent?.({ kind: 'progress', done: 3, total: 10 });
  options.onEvent?.({ kind: 'synthPreview', step: 4, steps: 10, activation: 0.5, image: { width: 1, height: 1, rgba: new Uint8ClampedArray(4) } });
  assert.deepEqual(seen, [3, 4, 0.5]);
});
