/** What a subscription asks for; every criterion given must hold. */
export interface LiveFilter {
  /** Event types, e.g. MoneyDeposited. */
  readonly types?: ReadonlySet<string>;
  /** The stream category: what a stream id holds before its first `-` (`account` for `account-<uuid>`). */
  readonly category?: string;
  /** One stream id. */
  readonly stream?: string;
}

/** What a filter looks at in an event. */
export interface Filterable {
  readonly type: string;
  readonly streamId: string;
}

export function categoryOf(streamId: string): string {
  const dash = streamId.indexOf('-');
  return dash < 0 ? streamId : streamId.slice(0, dash);
}

export function matches(filter: LiveFilter, event: Filterable): boolean {
  return (
    (filter.stream === undefined || filter.stream === event.streamId) &&
    (filter.category === undefined || filter.category === categoryOf(event.streamId)) &&
    (filter.types === undefined || filter.types.has(event.type))
  );
}

/**
 * Subscribers indexed by what they follow: an event costs a lookup by its stream and one by its category, plus a
 * look at each subscriber that follows neither, not a look at every subscriber.
 */
export class LiveSubscribers<T extends { readonly filter: LiveFilter }> {
  private readonly byStream = new Map<string, Set<T>>();
  private readonly byCategory = new Map<string, Set<T>>();
  private readonly others = new Set<T>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(subscriber: T): void {
    const set = this.setOf(subscriber.filter, true)!;
    if (set.has(subscriber)) return;
    set.add(subscriber);
    this.count += 1;
  }

  delete(subscriber: T): void {
    const { filter } = subscriber;
    const set = this.setOf(filter, false);
    if (!set?.delete(subscriber)) return;
    this.count -= 1;
    if (set.size > 0 || set === this.others) return;
    if (filter.stream !== undefined) this.byStream.delete(filter.stream);
    else this.byCategory.delete(filter.category!);
  }

  /** Calls `deliver` for every subscriber whose filter the event passes. */
  forEachMatching(event: Filterable, deliver: (subscriber: T) => void): void {
    if (this.count === 0) return;
    const visit = (set: Set<T> | undefined) => {
      if (!set) return;
      for (const subscriber of set) if (matches(subscriber.filter, event)) deliver(subscriber);
    };
    visit(this.byStream.get(event.streamId));
    visit(this.byCategory.get(categoryOf(event.streamId)));
    visit(this.others);
  }

  private setOf(filter: LiveFilter, create: boolean): Set<T> | undefined {
    const [index, key] =
      filter.stream !== undefined
        ? [this.byStream, filter.stream]
        : filter.category !== undefined
          ? [this.byCategory, filter.category]
          : [undefined, undefined];
    if (!index) return this.others;
    let set = index.get(key);
    if (!set && create) index.set(key, (set = new Set()));
    return set;
  }
}
