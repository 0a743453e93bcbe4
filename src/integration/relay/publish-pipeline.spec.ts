import type { JetStreamClient, JetStreamPublishOptions, PubAck } from 'nats';
import type { IntegrationMessage } from '../integration-message.js';
import { publishInOrder } from './publish-pipeline.js';

const messages = (n: number): IntegrationMessage[] =>
  Array.from({ length: n }, (_, i) => ({
    subject: 'chronicle.accounts.MoneyDeposited',
    msgId: `m${i}`,
    headers: { 'Chronicle-Position': String(i + 1) },
    payload: { amount: i + 1 },
    checkpoint: { transactionId: '7', position: i + 1 },
  }));

/** A JetStream client whose acknowledgements the test gives, one by one. */
function broker() {
  const sent: Array<{
    msgId: string;
    expect?: { lastSequence?: number; lastMsgID?: string };
    answer(ack: Partial<PubAck> | Error): void;
  }> = [];
  let outstanding = 0;
  let mostOutstanding = 0;
  const js = {
    publish(_subject: string, _data: string, options: Partial<JetStreamPublishOptions>) {
      outstanding += 1;
      mostOutstanding = Math.max(mostOutstanding, outstanding);
      return new Promise<PubAck>((resolve, reject) =>
        sent.push({
          msgId: options.msgID!,
          expect: options.expect,
          answer: (ack) => {
            outstanding -= 1;
            if (ack instanceof Error) reject(ack);
            else resolve({ stream: 'S', seq: 0, duplicate: false, ...ack });
          },
        }),
      );
    },
  } as unknown as JetStreamClient;
  return { js, sent, mostOutstanding: () => mostOutstanding };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('publishInOrder', () => {
  it('keeps up to `window` publishes in flight, the first expecting the last sequence and each next the msg id before it, and awaits the acks in order', async () => {
    const { js, sent, mostOutstanding } = broker();
    const done = publishInOrder(js, messages(10), { window: 3, timeoutMs: 1000, chainFrom: 40 });
    for (let i = 0; i < 10; i++) {
      await settle();
      sent[i].answer({ seq: 41 + i });
    }
    expect(await done).toEqual({
      done: 10,
      duplicates: 0,
      lastSeq: 50,
      highWater: { transactionId: '7', position: 10 },
    });
    expect(mostOutstanding()).toBe(3);
    expect(sent.map((s) => s.expect)).toEqual([
      { lastSequence: 40 },
      ...Array.from({ length: 9 }, (_, i) => ({ lastMsgID: `m${i}` })),
    ]);
  });

  it('sends nothing more after a failure, awaits what is in flight, and counts only what came before it', async () => {
    const { js, sent } = broker();
    const done = publishInOrder(js, messages(10), { window: 4, timeoutMs: 1000, chainFrom: 0 });
    await settle();
    sent[0].answer({ seq: 1 });
    sent[1].answer({ seq: 2, duplicate: true });
    sent[2].answer(new Error('TIMEOUT'));
    // What was in flight is answered too (stored though the one before it timed out: the caller reads the tail).
    let finished = false;
    void done.then(() => (finished = true));
    for (let next = 3; !finished;) {
      await settle();
      while (next < sent.length) sent[next++].answer({ seq: next });
    }
    const outcome = await done;
    expect(outcome).toMatchObject({ done: 2, duplicates: 1, lastSeq: 1 });
    expect((outcome.failure as Error).message).toBe('TIMEOUT');
    // Sent before the failure was seen: the window after the first ack, and not one more.
    expect(sent.length).toBe(6);
  });

  it('expects no sequence without `chainFrom` (a replay)', async () => {
    const { js, sent } = broker();
    const done = publishInOrder(js, messages(2), { window: 8, timeoutMs: 1000 });
    await settle();
    sent.forEach((s, i) => s.answer({ seq: i + 1, duplicate: i === 0 }));
    expect(await done).toMatchObject({ done: 2, duplicates: 1 });
    expect(sent.map((s) => s.expect)).toEqual([undefined, undefined]);
  });
});
