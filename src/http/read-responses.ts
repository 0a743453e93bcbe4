import { applyDecorators, type Type } from '@nestjs/common';
import {
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiServiceUnavailableResponse,
  type ReferenceObject,
  type SchemaObject,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { ProblemResponse } from './problem.js';

/** Swagger: the 503 of a read that accepts `consistentWith` (a route with `@ReadsFrom`). */
export const ApiConsistencyTimeoutResponse = () =>
  ApiServiceUnavailableResponse({
    type: ProblemResponse,
    description: 'consistency-timeout: consistentWith was not reached in time (Retry-After)',
  });

export interface VersionedRead {
  /** The 200 body: its class, or a schema and a description that says which body comes when. */
  ok: Type<unknown> | { description: string; schema: SchemaObject & Partial<ReferenceObject> };
  /** The 404's problem types, e.g. 'cart-not-found'. */
  notFound: string;
  /** The version the ETag example shows. */
  exampleVersion?: number;
}

/** Swagger: a GET of one stream's read model: 200 with its version as ETag, 404, and 503 for `consistentWith`. */
export const ApiVersionedRead = ({ ok, notFound, exampleVersion = 3 }: VersionedRead) =>
  applyDecorators(
    ApiOkResponse({
      ...(typeof ok === 'function' ? { type: ok } : ok),
      headers: { ETag: { description: `The version in quotes, e.g. "${exampleVersion}"` } },
    }),
    ApiNotFoundResponse({ type: ProblemResponse, description: notFound }),
    ApiConsistencyTimeoutResponse(),
  );

/** A versioned read's answer, its version sent as the ETag that `ApiVersionedRead` documents. */
export function withETag<T extends { version: number }>(response: Response, read: T): T {
  response.setHeader('ETag', `"${read.version}"`);
  return read;
}
