import { LiveBuffer } from './live-buffer.js';
import { sseMessage, sseOverflow } from './sse.js';

const message = (id: number, bytes = 10) => ({ text: 'x'.repeat(bytes), bytes, id: String(id) });

describe('LiveBuffer', () => {
  it('is exceeded past its count of messages, or past its bytes', () => {
    const byCount = new LiveBuffer({ events: 2, bytes: 1000 });
    const exceeded = (buffer: LiveBuffer, ids: number[], bytes = 10) =>
      ids.map((id) => {
        buffer.push(message(id, bytes));
        return buffer.exceeded;
      });
    expect(exceeded(byCount, [1, 2, 3])).toEqual([false, false, true]);
    expect(byCount.size).toBe(3);

    const byBytes = new LiveBuffer({ events: 100, bytes: 25 });
    expect(exceeded(byBytes, [1, 2])).toEqual([false, false]);
    expect(exceeded(byBytes, [3], 5)).toEqual([false]);
    expect(exceeded(byBytes, [4], 1)).toEqual([true]);
    expect(byBytes.bytes).toBe(26);
  });

  it('takes messages in order, about so many bytes at a time, and is within its limits again once taken', () => {
    const buffer = new LiveBuffer({ events: 2, bytes: 1000 });
    for (const id of [1, 2, 3, 4]) buffer.push(message(id));
    expect(buffer.exceeded).toBe(true);
    expect(buffer.take(15).map((m) => m.id)).toEqual(['1', '2']);
    expect([buffer.size, buffer.bytes, buffer.exceeded]).toEqual([2, 20, false]);
    expect(buffer.take(1).map((m) => m.id)).toEqual(['3']);
    expect(buffer.take(1000).map((m) => m.id)).toEqual(['4']);
    expect([buffer.size, buffer.bytes]).toEqual([0, 0]);
    expect(buffer.take(1000)).toEqual([]);
  });

  it('keeps memory flat over a long stream of pushes and takes', () => {
    const buffer = new LiveBuffer({ events: 5000, bytes: 1e9 });
    for (let round = 0; round < 100; round++) {
      for (let i = 0; i < 3000; i++) buffer.push(message(i, 1));
      expect(buffer.take(2999)).toHaveLength(2999);
      expect(buffer.take(1)).toHaveLength(1);
    }
    expect([buffer.size, buffer.bytes]).toEqual([0, 0]);
  });
});

describe('Server-Sent Events framing', () => {
  it('writes one message per event, its bytes counted in UTF-8', () => {
    const message = sseMessage('1042', 'MoneyDeposited', '{"name":"Zoë"}');
    expect(message.text).toBe('id: 1042\nevent: MoneyDeposited\ndata: {"name":"Zoë"}\n\n');
    expect(message.bytes).toBe(message.text.length + 1);
    expect(message.id).toBe('1042');
  });

  it('ends an overflowed stream with a message that has no id and says where to resume', () => {
    const text = sseOverflow({ lastEventId: '41', limits: { events: 5, bytes: 1024 } });
    expect(text).toMatch(/^event: overflow\ndata: \{.*\}\n\n$/);
    expect(text).not.toMatch(/^id:/m);
    const data = JSON.parse(text.split('\n')[1].slice('data: '.length)) as Record<string, unknown>;
    expect(data).toMatchObject({ type: '/problems/live-overflow', lastEventId: '41' });
  });
});
