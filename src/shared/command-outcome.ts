/** Where a command's events were stored: the stream's version after them and the last one's global position. */
export interface Recorded {
  readonly id: string;
  readonly version: number;
  readonly position: number;
}

/** A refusal is a result, not an exception after a save: `rejected` carries the event that recorded it. */
export type CommandOutcome<TRejected> =
  | (Recorded & { readonly outcome: 'accepted' })
  | (Recorded & { readonly outcome: 'rejected'; readonly event: TRejected });

export const isRejected = (result: unknown): result is { outcome: 'rejected' } =>
  typeof result === 'object' &&
  result !== null &&
  'outcome' in result &&
  result.outcome === 'rejected';
