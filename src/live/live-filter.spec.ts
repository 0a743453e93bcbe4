import { categoryOf, type LiveFilter, LiveSubscribers, matches } from './live-filter.js';

const event = (type: string, streamId: string) => ({ type, streamId });
const deposit = event('MoneyDeposited', 'account-1f0c');

describe('live filters', () => {
  it('takes the category from the stream id, up to its first dash', () => {
    expect(categoryOf('account-0b6f1f7e-2c1d-4a4e-9d7b-3f0e5a1c2b9d')).toBe('account');
    expect(categoryOf('checkout-1')).toBe('checkout');
    expect(categoryOf('nodash')).toBe('nodash');
  });

  it('passes an event only when every criterion given holds', () => {
    expect(matches({}, deposit)).toBe(true);
    expect(matches({ types: new Set(['MoneyDeposited']) }, deposit)).toBe(true);
    expect(matches({ types: new Set(['MoneyWithdrawn']) }, deposit)).toBe(false);
    expect(matches({ category: 'account' }, deposit)).toBe(true);
    expect(matches({ category: 'acc' }, deposit)).toBe(false);
    expect(matches({ stream: 'account-1f0c' }, deposit)).toBe(true);
    expect(matches({ stream: 'account-1f0c', category: 'cart' }, deposit)).toBe(false);
    expect(matches({ stream: 'account-1f0c', types: new Set(['MoneyWithdrawn']) }, deposit)).toBe(
      false,
    );
  });
});

describe('LiveSubscribers', () => {
  const subscriber = (name: string, filter: LiveFilter) => ({ name, filter });
  const delivered = (
    subscribers: LiveSubscribers<{ name: string; filter: LiveFilter }>,
    e = deposit,
  ) => {
    const names: string[] = [];
    subscribers.forEachMatching(e, (s) => names.push(s.name));
    return names.sort();
  };

  it('hands an event to exactly the subscribers whose filters it passes', () => {
    const subscribers = new LiveSubscribers<{ name: string; filter: LiveFilter }>();
    subscribers.add(subscriber('stream', { stream: 'account-1f0c' }));
    subscribers.add(subscriber('other-stream', { stream: 'account-2a9e' }));
    subscribers.add(subscriber('category', { category: 'account' }));
    subscribers.add(subscriber('carts', { category: 'cart' }));
    subscribers.add(subscriber('all', {}));
    subscribers.add(subscriber('withdrawals', { types: new Set(['MoneyWithdrawn']) }));
    subscribers.add(
      subscriber('stream-deposits', { stream: 'account-1f0c', types: new Set(['MoneyDeposited']) }),
    );
    expect(subscribers.size).toBe(7);
    expect(delivered(subscribers)).toEqual(['all', 'category', 'stream', 'stream-deposits']);
    expect(delivered(subscribers, event('ItemAdded', 'cart-9'))).toEqual(['all', 'carts']);
  });

  it('forgets a subscriber once, and its index entry with the last one', () => {
    const subscribers = new LiveSubscribers<{ name: string; filter: LiveFilter }>();
    const one = subscriber('one', { stream: 'account-1f0c' });
    const two = subscriber('two', { stream: 'account-1f0c' });
    subscribers.add(one);
    subscribers.add(one);
    subscribers.add(two);
    expect(subscribers.size).toBe(2);
    subscribers.delete(one);
    subscribers.delete(one);
    expect(subscribers.size).toBe(1);
    expect(delivered(subscribers)).toEqual(['two']);
    subscribers.delete(two);
    expect(subscribers.size).toBe(0);
    expect(delivered(subscribers)).toEqual([]);
  });

  it('lets a subscriber leave while an event is handed out', () => {
    const subscribers = new LiveSubscribers<{ name: string; filter: LiveFilter }>();
    const all = ['a', 'b', 'c'].map((name) => subscriber(name, { category: 'account' }));
    for (const s of all) subscribers.add(s);
    const seen: string[] = [];
    subscribers.forEachMatching(deposit, (s) => {
      seen.push(s.name);
      subscribers.delete(s);
    });
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(subscribers.size).toBe(0);
  });
});
