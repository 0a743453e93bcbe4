import { useEffect, useState } from 'preact/hooks';
import { describe, get, query, shortTime, type StoredEvent } from '../api';
import { href, navigate, type Route } from '../router';

interface StreamSummary {
  streamId: string;
  category: string;
  version: number;
  lastType: string;
  lastPosition: number;
  updatedAt: string;
}

/** Search the stream catalog by id prefix, category and event type, a page at a time (keyset on the id). */
export function StreamsPage({ route, linked }: { route: Route; linked: boolean }) {
  const prefix = route.params.get('prefix') ?? '';
  const category = route.params.get('category') ?? '';
  const type = route.params.get('type') ?? '';
  const after = route.params.get('after') ?? '';
  const [form, setForm] = useState({ prefix, category, type });
  const [page, setPage] = useState<{ streams: StreamSummary[]; next: string | null } | null>(null);
  const [error, setError] = useState('');

  useEffect(() => setForm({ prefix, category, type }), [prefix, category, type]);
  useEffect(() => {
    let current = true;
    setError('');
    get<{ streams: StreamSummary[]; next: string | null }>(
      `/streams${query({ prefix, category, type, after })}`,
    )
      .then((result) => current && setPage(result))
      .catch((failure) => {
        if (!current) return;
        setPage(null);
        setError(describe(failure));
      });
    return () => {
      current = false;
    };
  }, [prefix, category, type, after]);

  const search = (event: Event) => {
    event.preventDefault();
    navigate(['streams'], {
      prefix: form.prefix.trim(),
      category: form.category.trim(),
      type: form.type.trim(),
    });
  };

  return (
    <>
      <h1>Streams</h1>
      <form class="search" onSubmit={search} role="search" aria-label="Stream search">
        <label>
          Stream id prefix
          <input
            type="text"
            value={form.prefix}
            onInput={(e) => setForm({ ...form, prefix: e.currentTarget.value })}
          />
        </label>
        <label>
          Category
          <input
            type="text"
            value={form.category}
            onInput={(e) => setForm({ ...form, category: e.currentTarget.value })}
          />
        </label>
        <label>
          Event type
          <input
            type="text"
            value={form.type}
            onInput={(e) => setForm({ ...form, type: e.currentTarget.value })}
          />
        </label>
        <button type="submit">Search</button>
      </form>
      {error && <p role="alert">{error}</p>}
      {!linked && (
        <p class="hint">
          A stream&apos;s events carry personal data: opening them is the auditor&apos;s.
        </p>
      )}
      {page && (
        <>
          <table>
            <caption>Streams</caption>
            <thead>
              <tr>
                <th scope="col">Stream id</th>
                <th scope="col">Category</th>
                <th scope="col">Version</th>
                <th scope="col">Last event</th>
                <th scope="col">Position</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {page.streams.map((stream) => (
                <tr key={stream.streamId}>
                  <td>
                    {linked ? (
                      <a href={href(['streams', stream.streamId])}>{stream.streamId}</a>
                    ) : (
                      <span class="mono">{stream.streamId}</span>
                    )}
                  </td>
                  <td>{stream.category}</td>
                  <td class="num">{stream.version}</td>
                  <td>{stream.lastType}</td>
                  <td class="num">{stream.lastPosition}</td>
                  <td>{shortTime(stream.updatedAt)}</td>
                </tr>
              ))}
              {page.streams.length === 0 && (
                <tr>
                  <td colSpan={6}>No stream matches.</td>
                </tr>
              )}
            </tbody>
          </table>
          <div class="pager">
            {after && <a href={href(['streams'], { prefix, category, type })}>First page</a>}
            {page.next !== null && (
              <button
                type="button"
                onClick={() => navigate(['streams'], { prefix, category, type, after: page.next! })}
              >
                Next page
              </button>
            )}
          </div>
        </>
      )}
    </>
  );
}

/** The correlation id an event carries in its metadata, if any. */
const correlationOf = (event: StoredEvent) =>
  typeof event.metadata?.correlationId === 'string' ? event.metadata.correlationId : undefined;

function Json({ value }: { value: unknown }) {
  return <pre class="json">{JSON.stringify(value, null, 2)}</pre>;
}

function EventRows({ events, showStream }: { events: StoredEvent[]; showStream: boolean }) {
  return (
    <>
      {events.map((event) => {
        const correlation = correlationOf(event);
        return (
          <tr key={event.eventId}>
            {showStream && (
              <td>
                <a href={href(['streams', event.streamId])}>{event.streamId}</a>
              </td>
            )}
            <td class="num">{event.version}</td>
            <td class="num">{event.position}</td>
            <td>
              <details>
                <summary>
                  {event.type} <span class="muted">v{event.schemaVersion}</span>
                </summary>
                <h4>Data</h4>
                <Json value={event.data} />
                <h4>Metadata</h4>
                <Json value={event.metadata} />
              </details>
            </td>
            <td>{shortTime(event.recordedAt)}</td>
            <td>
              {correlation ? (
                <a
                  href={href(['correlations', correlation])}
                  aria-label={`Follow correlation ${correlation}`}
                  title={correlation}
                  class="mono"
                >
                  {correlation.length > 13 ? `${correlation.slice(0, 8)}…` : correlation}
                </a>
              ) : (
                <span class="muted">none</span>
              )}
            </td>
          </tr>
        );
      })}
    </>
  );
}

function EventsTable({
  caption,
  events,
  showStream,
}: {
  caption: string;
  events: StoredEvent[];
  showStream: boolean;
}) {
  return (
    <table class="events">
      <caption>{caption}</caption>
      <thead>
        <tr>
          {showStream && <th scope="col">Stream</th>}
          <th scope="col">Version</th>
          <th scope="col">Position</th>
          <th scope="col">Type (expand for data and metadata)</th>
          <th scope="col">Recorded</th>
          <th scope="col">Correlation</th>
        </tr>
      </thead>
      <tbody>
        <EventRows events={events} showStream={showStream} />
        {events.length === 0 && (
          <tr>
            <td colSpan={showStream ? 6 : 5}>No events.</td>
          </tr>
        )}
      </tbody>
    </table>
  );
}

/** A stream's events a page at a time (fromVersion), each expandable to its data and metadata. */
export function StreamPage({ streamId, route }: { streamId: string; route: Route }) {
  const fromVersion = Number(route.params.get('fromVersion') ?? '1') || 1;
  const [page, setPage] = useState<{ events: StoredEvent[]; next: number | null } | null>(null);
  const [error, setError] = useState('');

  useEffect(() => {
    let current = true;
    setError('');
    get<{ events: StoredEvent[]; next: number | null }>(
      `/streams/${encodeURIComponent(streamId)}/events${query({ fromVersion, limit: 50 })}`,
    )
      .then((result) => current && setPage(result))
      .catch((failure) => {
        if (!current) return;
        setPage(null);
        setError(describe(failure));
      });
    return () => {
      current = false;
    };
  }, [streamId, fromVersion]);

  return (
    <>
      <p>
        <a href={href(['streams'])}>All streams</a>
      </p>
      <h1 class="mono">{streamId}</h1>
      {error && <p role="alert">{error}</p>}
      {page && (
        <>
          <EventsTable caption="Events" events={page.events} showStream={false} />
          <div class="pager">
            {fromVersion > 1 && <a href={href(['streams', streamId])}>First page</a>}
            {page.next !== null && (
              <button
                type="button"
                onClick={() => navigate(['streams', streamId], { fromVersion: String(page.next) })}
              >
                Next page
              </button>
            )}
          </div>
        </>
      )}
    </>
  );
}

/** Every event carrying a correlation id, across streams, in global order. */
export function CorrelationPage({ correlationId }: { correlationId: string }) {
  const [events, setEvents] = useState<StoredEvent[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState('');

  const load = (after: number | null, previous: StoredEvent[]) =>
    get<{ events: StoredEvent[]; next: number | null }>(
      `/correlations/${encodeURIComponent(correlationId)}/events${query({ after, limit: 50 })}`,
    )
      .then((result) => {
        setEvents(previous.concat(result.events));
        setNext(result.next);
        setLoaded(true);
      })
      .catch((failure) => setError(describe(failure)));

  useEffect(() => {
    setEvents([]);
    setNext(null);
    setLoaded(false);
    setError('');
    void load(null, []);
  }, [correlationId]);

  return (
    <>
      <p>
        <a href={href(['streams'])}>All streams</a>
      </p>
      <h1>
        Correlation <span class="mono">{correlationId}</span>
      </h1>
      {error && <p role="alert">{error}</p>}
      {loaded && (
        <>
          <p>
            {events.length} event{events.length === 1 ? '' : 's'} across{' '}
            {new Set(events.map((e) => e.streamId)).size} stream(s).
          </p>
          <EventsTable caption="Correlated events" events={events} showStream={true} />
          {next !== null && (
            <div class="pager">
              <button type="button" onClick={() => void load(next, events)}>
                More events
              </button>
            </div>
          )}
        </>
      )}
    </>
  );
}
