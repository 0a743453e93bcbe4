import type { IntegrationConfig } from '../../config/integration-config.js';

/** What the relay needs of the stream, as JetStream's API spells it (durations in nanoseconds). */
export interface StreamSettings {
  name: string;
  subjects: string[];
  storage: 'file' | 'memory';
  retention: 'limits' | 'interest' | 'workqueue';
  duplicate_window: number;
}

/**
 * The stream the relay creates: every subject under the prefix, on disk, kept by limits (consumers come and go;
 * the stream is the history), and a duplicate window over which JetStream drops a message id seen before.
 */
export function expectedStream(config: IntegrationConfig): StreamSettings {
  return {
    name: config.stream,
    subjects: [`${config.subjectPrefix}.>`],
    storage: 'file',
    retention: 'limits',
    duplicate_window: config.duplicateWindowMs * 1_000_000,
  };
}

const seconds = (nanos: number | undefined) =>
  nanos === undefined ? 'unset' : `${(nanos / 1e9).toLocaleString('en')} s`;

/** How an existing stream differs from what the relay expects, one sentence each; empty when it does not. */
export function streamDifferences(
  actual: Partial<StreamSettings>,
  expected: StreamSettings,
): string[] {
  const differences: string[] = [];
  const subjects = actual.subjects ?? [];
  if (subjects.length !== 1 || subjects[0] !== expected.subjects[0])
    differences.push(
      `subjects are ${JSON.stringify(subjects)}, Chronicle expects ${JSON.stringify(expected.subjects)}` +
        (subjects.includes(expected.subjects[0]) ? '' : ': its messages may not be stored'),
    );
  if (actual.storage !== expected.storage)
    differences.push(
      `storage is ${actual.storage}, Chronicle expects file: a restart of NATS loses the stream`,
    );
  if (actual.retention !== expected.retention)
    differences.push(
      `retention is ${actual.retention}, Chronicle expects limits: messages leave once consumed, and the relay ` +
        'cannot read its high-water mark after a restart beyond the duplicate window',
    );
  if (actual.duplicate_window !== expected.duplicate_window)
    differences.push(
      `duplicate window is ${seconds(actual.duplicate_window)}, Chronicle expects ${seconds(expected.duplicate_window)} (NATS_DUPLICATE_WINDOW_MS)`,
    );
  return differences;
}
