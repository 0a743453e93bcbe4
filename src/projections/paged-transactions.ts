/**
 * Admits transactions over several pages, which read their next page on another pooled connection while holding
 * one: fewer at once than the pool has connections, so they never all wait for one.
 */
export interface PagedTransactions {
  tryAcquire(): boolean;
  release(): void;
}

/** Admits up to `max` at once. */
export function pagedTransactions(max: number): PagedTransactions {
  let active = 0;
  return {
    tryAcquire: () => {
      if (active >= max) return false;
      active += 1;
      return true;
    },
    release: () => {
      active -= 1;
    },
  };
}
