import { integrationConfig } from '../../config/integration-config.js';
import { expectedStream, streamDifferences } from './stream-config.js';

const expected = expectedStream(integrationConfig({}));

describe('the stream the relay expects', () => {
  it('is every subject under the prefix, on disk, kept by limits, with the configured duplicate window', () => {
    expect(expected).toEqual({
      name: 'CHRONICLE',
      subjects: ['chronicle.>'],
      storage: 'file',
      retention: 'limits',
      duplicate_window: 120_000_000_000,
    });
  });

  it('finds no difference in a stream made as it expects, and names each one otherwise', () => {
    expect(streamDifferences({ ...expected, subjects: ['chronicle.>'] }, expected)).toEqual([]);
    expect(
      streamDifferences(
        {
          name: 'CHRONICLE',
          subjects: ['chronicle.accounts.*'],
          storage: 'memory',
          retention: 'workqueue',
          duplicate_window: 60_000_000_000,
        },
        expected,
      ),
    ).toEqual([
      'subjects are ["chronicle.accounts.*"], Chronicle expects ["chronicle.>"]: its messages may not be stored',
      'storage is memory, Chronicle expects file: a restart of NATS loses the stream',
      expect.stringMatching(/^retention is workqueue, Chronicle expects limits/),
      'duplicate window is 60 s, Chronicle expects 120 s (NATS_DUPLICATE_WINDOW_MS)',
    ]);
    expect(
      streamDifferences({ ...expected, subjects: ['chronicle.>', 'audit.>'] }, expected),
    ).toEqual(['subjects are ["chronicle.>","audit.>"], Chronicle expects ["chronicle.>"]']);
  });

  it('names the limits and flags that stop the relay or drop the history', () => {
    const stream = { ...expected, max_msgs: -1, max_bytes: -1, max_age: 0, max_msg_size: -1 };
    expect(streamDifferences({ ...stream, discard: 'old', no_ack: false }, expected)).toEqual([]);
    expect(
      streamDifferences(
        {
          ...stream,
          max_msgs: 3,
          max_bytes: 1024,
          max_age: 3_600_000_000_000,
          max_msg_size: 512,
          discard: 'new',
          no_ack: true,
          sealed: true,
          deny_delete: true,
        } as Parameters<typeof streamDifferences>[0],
        expected,
      ),
    ).toEqual([
      'max_msgs is 3, Chronicle expects no limit, and discard is new: once full, JetStream refuses every publish and the relay stops',
      expect.stringMatching(/^max_bytes is 1024, Chronicle expects no limit, and discard is new/),
      expect.stringMatching(/^max_age is 3,600 s, Chronicle expects none: messages expire/),
      expect.stringMatching(/^max_msg_size is 512 bytes/),
      expect.stringMatching(/^no_ack is set/),
      'the stream is sealed: it takes no message, the relay stops',
    ]);
    expect(streamDifferences({ ...stream, max_msgs: 3, discard: 'old' }, expected)).toEqual([
      expect.stringMatching(/and discard is old: the oldest messages are dropped/),
    ]);
  });
});
