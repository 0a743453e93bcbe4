import type { IntegrationConfig } from '../../config/integration-config.js';

/** What the relay needs of the stream, as JetStream's API spells it (durations in nanoseconds). */
export interface StreamSettings {
  name: string;
  subjects: string[];
  storage: 'file' | 'memory';
  retention: 'limits' | 'interest' | 'workqueue';
  duplicate_window: number;
}

/** Limits and flags of an existing stream that can stop the relay or drop the history (-1 or 0: no limit). */
export interface StreamLimits {
  max_msgs: number;
  max_bytes: number;
  max_age: number;
  max_msg_size: number;
  discard: 'old' | 'new';
  no_ack: boolean;
  sealed: boolean;
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
  actual: Partial<StreamSettings & StreamLimits>,
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
  const limited = (value: number | undefined) => value !== undefined && value > 0;
  const full =
    actual.discard === 'new'
      ? 'and discard is new: once full, JetStream refuses every publish and the relay stops'
      : 'and discard is old: the oldest messages are dropped, the stream no longer holds the whole history';
  if (limited(actual.max_msgs))
    differences.push(`max_msgs is ${actual.max_msgs}, Chronicle expects no limit, ${full}`);
  if (limited(actual.max_bytes))
    differences.push(`max_bytes is ${actual.max_bytes}, Chronicle expects no limit, ${full}`);
  if (limited(actual.max_age))
    differences.push(
      `max_age is ${seconds(actual.max_age)}, Chronicle expects none: messages expire, the stream no longer holds ` +
        'the whole history, and an expired tail leaves the relay without its high-water mark',
    );
  if (limited(actual.max_msg_size))
    differences.push(
      `max_msg_size is ${actual.max_msg_size} bytes, Chronicle expects no limit: a larger event is refused and the relay stops at it`,
    );
  if (actual.no_ack)
    differences.push(
      'no_ack is set: JetStream never acknowledges, so every publish times out and the relay stops',
    );
  if (actual.sealed) differences.push('the stream is sealed: it takes no message, the relay stops');
  // deny_delete and deny_purge only protect the history: they never break the relay, and are not reported.
  return differences;
}
