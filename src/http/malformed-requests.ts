import type { Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/** What Node's parser refuses in a header value: control characters (NUL included) but tab. */
// eslint-disable-next-line no-control-regex -- control characters are the very thing looked for
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/** The header whose value holds a control character, from the bytes the parser read (Latin-1, as Node reads them). */
function headerWithControlCharacter(raw: Buffer | undefined): string | undefined {
  const lines = (raw?.toString('latin1') ?? '').split('\r\n').slice(1);
  const line = lines.find((l) => l.includes(':') && CONTROL.test(l.slice(l.indexOf(':') + 1)));
  return line?.slice(0, line.indexOf(':')).trim().toLowerCase() || undefined;
}

interface Refusal {
  status: number;
  reason: string;
  body: Record<string, unknown>;
}

/** The problem for what Node's parser refused: its own statuses kept, each as a problem like any other answer. */
function refusalOf(error: NodeJS.ErrnoException & { rawPacket?: Buffer }): Refusal {
  const header =
    error.code === 'HPE_INVALID_HEADER_TOKEN'
      ? headerWithControlCharacter(error.rawPacket)
      : undefined;
  if (header) {
    return {
      status: 400,
      reason: 'Bad Request',
      body: {
        type: '/problems/validation-failed',
        title: 'Validation failed',
        status: 400,
        detail: `Invalid ${header}`,
        errors: [
          {
            field: header,
            messages: [`${header} must not hold U+0000 (NUL) or another control character`],
          },
        ],
      },
    };
  }
  const [status, reason, code, detail] =
    {
      HPE_HEADER_OVERFLOW: [
        431,
        'Request Header Fields Too Large',
        'request-header-fields-too-large',
        'The request headers are larger than the server accepts',
      ] as const,
      HPE_CHUNK_EXTENSIONS_OVERFLOW: [
        413,
        'Payload Too Large',
        'payload-too-large',
        'The chunk extensions of the request body are too large',
      ] as const,
      ERR_HTTP_REQUEST_TIMEOUT: [
        408,
        'Request Timeout',
        'request-timeout',
        'The request was not received in time',
      ] as const,
    }[error.code ?? ''] ??
    ([
      400,
      'Bad Request',
      'malformed-request',
      'The request is not valid HTTP/1.1 (its method, framing or headers)',
    ] as const);
  const title = code.charAt(0).toUpperCase() + code.slice(1).replace(/-/g, ' ');
  return { status, reason, body: { type: `/problems/${code}`, title, status, detail } };
}

function answer(socket: Duplex, { status, reason, body }: Refusal): void {
  const json = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/problem+json\r\n` +
      `Content-Length: ${Buffer.byteLength(json)}\r\nX-Content-Type-Options: nosniff\r\n` +
      "Cache-Control: no-store\r\nContent-Security-Policy: default-src 'none'\r\n" +
      `Connection: close\r\n\r\n${json}`,
  );
}

/**
 * A request Node's HTTP parser refuses never reaches the app, and Node answers it with a bare 400. It is answered
 * as a problem instead (a header holding NUL or another control character names that header) — after the answer
 * to a request pipelined before it on the same connection, which has run and must reach its client.
 */
export function answerMalformedRequests(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket) => {
    const refusal = refusalOf(error);
    const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
    const finish = () => {
      if (!socket.writable) return socket.destroy();
      answer(socket, refusal);
    };
    if (inFlight && !inFlight.writableFinished) {
      inFlight.once('finish', finish);
      inFlight.once('close', () => socket.destroy());
      return;
    }
    finish();
  });
}
