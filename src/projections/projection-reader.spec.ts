import { START } from '../event-store/event-store.types.js';
import type { PersistedEvent } from '../event-store/persisted-event.js';
import { persistedEvent } from '../event-store/testing/persisted-events.js';
import { LogReader, type Page, planBatch } from './projection-reader.js';

const ev = (position: number, type = 'Read') =>
  persistedEvent({ type, data: {} }, { eventId: `e${position}`, globalPosition: position });
const page = (events: PersistedEvent[], size: number): Page => ({ events, size, after: START });
const reads = (type: string) => type === 'Read';
const sizing = { batchSize: 100, maxBatchSize: 400 };

describe('planBatch', () => {
  const full = (n: number) =>
    page(
      Array.from({ length: n }, (_, i) => ev(i + 1)),
      n,
    );

  it('doubles the read while pages come back full, up to maxBatchSize', () => {
    expect(planBatch(full(100), { sizing, isolating: false, reads }).nextSize).toBe(200);
    expect(planBatch(full(200), { sizing, isolating: false, reads }).nextSize).toBe(400);
    expect(planBatch(full(400), { sizing, isolating: false, reads }).nextSize).toBe(400);
  });

  it('goes back to the live size when a page is not full', () => {
    const batch = planBatch(page([ev(1)], 400), { sizing, isolating: false, reads });
    expect(batch).toMatchObject({ full: false, cut: false, nextSize: 100 });
  });

  it('while isolating, applies up to the first event read, and reads the live size', () => {
    const events = [ev(1, 'Other'), ev(2), ev(3)];
    const batch = planBatch(page(events, 3), { sizing, isolating: true, reads });
    expect(batch.events.map((e) => e.eventId)).toEqual(['e1', 'e2']);
    expect(batch).toMatchObject({ full: true, cut: false, nextSize: 100 });
  });

  it('caps at maxBatchEvents of the events read, with the others before the last of them', () => {
    const events = [ev(1), ev(2, 'Other'), ev(3), ev(4, 'Other'), ev(5)];
    const batch = planBatch(page(events, 5), {
      sizing,
      isolating: false,
      reads,
      maxBatchEvents: 2,
    });
    expect(batch.events.map((e) => e.eventId)).toEqual(['e1', 'e2', 'e3']);
    expect(batch).toMatchObject({ full: true, cut: true, nextSize: 100 });
  });

  it('does not cut a batch under the cap', () => {
    const batch = planBatch(full(3), { sizing, isolating: false, reads, maxBatchEvents: 5 });
    expect(batch).toMatchObject({ cut: false, nextSize: 6 });
  });
});

describe('LogReader', () => {
  it('hands out the page read ahead once, then reads after the checkpoint again', async () => {
    const asked: number[] = [];
    const store = {
      readAll: async ({ after }: { after: { position: number } }) => {
        asked.push(after.position);
        return [ev(after.position + 1)];
      },
    };
    const reader = new LogReader(store as never, false);
    reader.readAhead({ transactionId: '1', position: 7 }, 10);
    expect((await reader.next(START, 10)).events[0].eventId).toBe('e8');
    expect((await reader.next(START, 10)).events[0].eventId).toBe('e1');
    reader.endsAt({ transactionId: '1', position: 9 }, 10);
    expect((await reader.next(START, 10)).events).toEqual([]);
    expect(asked).toEqual([7, 0]);
  });
});
