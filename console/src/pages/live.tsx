import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, describe, get, shortTime, type StoredEvent } from '../api';
import { href } from '../router';
import { readEvents } from '../sse';

/** How many events the list keeps (newest first); older ones drop off. */
const KEEP = 200;
/** How many of the latest events the tail starts with, so the page is not empty until the next write. */
const BACKLOG = 20;

/** Where to start: a few events before the head of the log (its position, as the projections' status says). */
async function startAfter(): Promise<number | null> {
  try {
    const { projections } = await get<{ projections: { headPosition: number }[] }>(
      '/admin/projections',
    );
    const head = Math.max(0, ...projections.map((p) => p.headPosition));
    return Math.max(0, head - BACKLOG);
  } catch {
    return null;
  }
}

/**
 * The global log as it happens (GET /events/live). Pause closes the connection; Resume reopens it after the last
 * position seen, so nothing is lost in between. The filter only narrows what is shown.
 */
export function LivePage() {
  const [events, setEvents] = useState<StoredEvent[]>([]);
  const [paused, setPaused] = useState(false);
  const [filter, setFilter] = useState('');
  const [state, setState] = useState('connecting');
  const [error, setError] = useState('');
  const last = useRef<number | null>(null);

  useEffect(() => {
    if (paused) {
      setState('paused');
      return;
    }
    const controller = new AbortController();
    let retry: ReturnType<typeof setTimeout> | undefined;
    const connect = async () => {
      setState('connecting');
      if (last.current === null) last.current = await startAfter();
      if (controller.signal.aborted) return;
      const after = last.current;
      const url = after === null ? '/events/live' : `/events/live?after=${after}`;
      readEvents(
        url,
        controller.signal,
        (message) => {
          if (message.event === 'overflow' || message.event === 'token-expired') {
            setState(message.event === 'overflow' ? 'fell behind: reconnecting' : 'token expired');
            return;
          }
          const event = JSON.parse(message.data) as StoredEvent;
          last.current = event.position;
          setState('live');
          setEvents((list) => [event, ...list].slice(0, KEEP));
        },
        () => setState('live'),
      )
        .then(() => {
          // The server ended the stream (overflow, restart): reconnect after the last position seen.
          if (!controller.signal.aborted) retry = setTimeout(() => void connect(), 1000);
        })
        .catch((failure: unknown) => {
          if (controller.signal.aborted) return;
          if (failure instanceof ApiError) {
            setError(describe(failure));
            setState('closed');
            return;
          }
          setState('disconnected: retrying');
          retry = setTimeout(() => void connect(), 2000);
        });
    };
    void connect();
    return () => {
      controller.abort();
      clearTimeout(retry);
    };
  }, [paused]);

  const needle = filter.trim().toLowerCase();
  const shown = needle
    ? events.filter(
        (e) => e.type.toLowerCase().includes(needle) || e.streamId.toLowerCase().includes(needle),
      )
    : events;

  return (
    <>
      <h1>Live tail</h1>
      <div class="toolbar">
        <button type="button" onClick={() => setPaused(!paused)} aria-pressed={paused}>
          {paused ? 'Resume' : 'Pause'}
        </button>
        <label>
          Filter by type or stream
          <input type="text" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
        </label>
        <span class="muted" aria-live="polite">
          {state}; {events.length} kept (last {KEEP})
        </span>
      </div>
      {error && <p role="alert">{error}</p>}
      <ul class="live" aria-label="Live events">
        {shown.map((event) => (
          <li key={event.eventId}>
            <span class="num">#{event.position}</span> <strong>{event.type}</strong>{' '}
            <a href={href(['streams', event.streamId])} class="mono">
              {event.streamId}
            </a>{' '}
            <span class="muted">
              v{event.version} · {shortTime(event.recordedAt)}
            </span>
          </li>
        ))}
      </ul>
    </>
  );
}
