import { authHeaders, ApiError } from './api';

export interface SseMessage {
  id?: string;
  event: string;
  data: string;
}

/**
 * Reads a Server-Sent Events stream with fetch() (EventSource cannot send an Authorization header) and parses it
 * as the specification says: lines ending in CR, LF or CRLF; `field: value`; a blank line dispatches; comments
 * (`: heartbeat`) ignored. Resolves when the stream ends; abort with the signal.
 */
export async function readEvents(
  url: string,
  signal: AbortSignal,
  onMessage: (message: SseMessage) => void,
  onOpen: () => void = () => undefined,
): Promise<void> {
  const response = await fetch(url, {
    headers: { Accept: 'text/event-stream', ...authHeaders() },
    signal,
    cache: 'no-store',
  });
  if (!response.ok || !response.body) {
    let detail = response.statusText;
    try {
      const problem = (await response.json()) as { detail?: string };
      detail = problem.detail ?? detail;
    } catch {
      // not problem+json
    }
    throw new ApiError(response.status, detail);
  }
  onOpen();
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let data: string[] = [];
  let event = '';
  let id: string | undefined;
  let afterCr = false;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    // A CRLF split across two chunks: the CR ended the line, the LF must not end another.
    const chunk: string = afterCr && value.startsWith('\n') ? value.slice(1) : value;
    afterCr = chunk.endsWith('\r');
    buffer += chunk;
    const lines = buffer.split(/\r\n|\r|\n/);
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      if (line === '') {
        if (data.length > 0) onMessage({ id, event: event || 'message', data: data.join('\n') });
        data = [];
        event = '';
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      let text = colon === -1 ? '' : line.slice(colon + 1);
      if (text.startsWith(' ')) text = text.slice(1);
      if (field === 'data') data.push(text);
      else if (field === 'event') event = text;
      else if (field === 'id' && !text.includes('\0')) id = text;
    }
  }
}
