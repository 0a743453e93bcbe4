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
});
