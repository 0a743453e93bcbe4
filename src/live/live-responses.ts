import {
  ApiBadRequestResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiServiceUnavailableResponse,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import { ProblemResponse, ValidationProblemResponse } from '../http/problem.js';
import { stacked } from '../http/stacked.js';

const FORMAT =
  'Server-Sent Events, one message per event, in global (commit) order:\n\n' +
  '```\nid: 1042\nevent: MoneyDeposited\ndata: {"eventId":"…","streamId":"account-…","version":2,"position":1042,' +
  '"type":"MoneyDeposited","schemaVersion":2,"data":{…},"metadata":{…},"recordedAt":"…"}\n```\n\n' +
  "`id` is the event's global position: EventSource sends the last one as `Last-Event-ID` when it reconnects, " +
  'and the stream resumes right after it (or pass it as `after`). `data` is the event as ' +
  '`GET /accounts/{id}/events` shows it (`StoredEventResponse`, personal data as it reads now); `metadata` only for ' +
  'the roles that endpoint allows. `: heartbeat` comment lines every LIVE_HEARTBEAT_MS without a message. A client ' +
  'that falls more than LIVE_BUFFER_EVENTS messages or LIVE_BUFFER_BYTES behind gets a last message ' +
  '`event: overflow` (its data: a problem with the `lastEventId` sent) and the stream ends: reconnect with ' +
  'Last-Event-ID. When the bearer token expires, a last `event: token-expired` (the same shape) ends the stream ' +
  '(checked every LIVE_HEARTBEAT_MS): reconnect with a fresh token and Last-Event-ID.';

/** Swagger: a live stream's answers, and the header EventSource resumes with. */
export const ApiLiveStream = (notFound?: string) =>
  stacked(
    ApiHeader({
      name: 'Last-Event-ID',
      required: false,
      description:
        'Resume after the event with this id. With `after` too, it must be at or past it (EventSource resending ' +
        'a URL that holds `after`); before it: 400',
    }),
    ApiOkResponse({
      description: FORMAT,
      content: { 'text/event-stream': { schema: { type: 'string' } } },
    }),
    ApiBadRequestResponse({
      type: ValidationProblemResponse,
      description:
        'validation-failed: a filter, `after` or Last-Event-ID that is not an id, or the header before `after`; ' +
        'unknown-position: no event is stored at that position',
    }),
    ...(notFound ? [ApiNotFoundResponse({ type: ProblemResponse, description: notFound })] : []),
    ApiTooManyRequestsResponse({
      type: ProblemResponse,
      description:
        'too-many-subscriptions: this principal holds LIVE_MAX_PER_PRINCIPAL live streams on this instance ' +
        '(with `limit`; Retry-After)',
    }),
    ApiServiceUnavailableResponse({
      type: ProblemResponse,
      description:
        'live-capacity-reached: this instance holds LIVE_MAX_CONNECTIONS live streams, or is shutting down ' +
        '(Retry-After)',
    }),
  );
