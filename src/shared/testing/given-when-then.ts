import type { AggregateDefinition, DomainEvent } from '../../event-store/index.js';

/** given(past events).when(decision).then(new events) | .thenThrows(error): a decider spec without a database. */
export function specFor<TState, TEvent extends DomainEvent>(
  definition: AggregateDefinition<TState, TEvent>,
) {
  return (history: TEvent[]) => ({
    when(decide: (state: TState) => readonly TEvent[]) {
      const run = () => decide(history.reduce(definition.evolve, definition.initialState()));
      return {
        then(expected: TEvent[]) {
          expect(run()).toEqual(expected);
        },
        thenThrows(error: new (...args: never[]) => Error, message?: RegExp) {
          expect(run).toThrow(error);
          if (message) expect(run).toThrow(message);
        },
      };
    },
  });
}
