import type { Server } from 'node:http';
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

/** Node's own answers to what its parser refuses, kept for everything but a header that holds a control character. */
const NODE_ANSWERS: Record<string, string> = {
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
  HPE_CHUNK_EXTENSIONS_OVERFLOW: '413 Payload Too Large',
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
};

/**
 * A request Node's HTTP parser refuses never reaches the app, and Node answers it with a bare 400. A header holding
 * NUL or another control character is answered like any invalid input instead: a 400 problem naming it.
 */
export function answerMalformedRequests(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket) => {
    if (!socket.writable || (socket as Duplex & { bytesWritten?: number }).bytesWritten) {
      socket.destroy();
      return;
    }
    const header =
      error.code === 'HPE_INVALID_HEADER_TOKEN'
        ? headerWithControlCharacter(error.rawPacket)
        : undefined;
    if (!header) {
      socket.end(
        `HTTP/1.1 ${NODE_ANSWERS[error.code ?? ''] ?? '400 Bad Request'}\r\nConnection: close\r\n\r\n`,
      );
      return;
    }
    const body = JSON.stringify({
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
    });
    socket.end(
      'HTTP/1.1 400 Bad Request\r\nContent-Type: application/problem+json\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\nX-Content-Type-Options: nosniff\r\n` +
        "Cache-Control: no-store\r\nContent-Security-Policy: default-src 'none'\r\n" +
        `Connection: close\r\n\r\n${body}`,
    );
  });
}
