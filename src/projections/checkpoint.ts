import type { Checkpoint } from '../event-store/event-store.types.js';

/** Orders checkpoints as the global log does: by transaction id, then position. */
export function compareCheckpoints(a: Checkpoint, b: Checkpoint): number {
  const tx = BigInt(a.transactionId) - BigInt(b.transactionId);
  if (tx !== 0n) return tx < 0n ? -1 : 1;
  return Math.sign(a.position - b.position);
}

export const reached = (checkpoint: Checkpoint, target: Checkpoint) =>
  compareCheckpoints(checkpoint, target) >= 0;
