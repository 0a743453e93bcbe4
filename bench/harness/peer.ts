import { readFileSync } from 'node:fs';
import {
  getPostgreSQLEventStore,
  type PostgresEventStore,
} from '@event-driven-io/emmett-postgresql';
import { deposited, opened } from './fixtures.js';

/**
 * The peer: Emmett's PostgreSQL event store, used through its public API as its README shows
 * (getPostgreSQLEventStore(connectionString), appendToStream, readStream, aggregateStream, consumer). Its tables
 * (emt_streams, emt_messages, ...) live in the bench database beside ours and the baseline's, so no side reads
 * another's data. Its pool is its own (dumbo's pg.Pool with pg's default of 10 connections).
 */
export const PEER_PACKAGE = '@event-driven-io/emmett-postgresql';

export const PEER_NAME = `Emmett ${
  (
    JSON.parse(readFileSync(`node_modules/${PEER_PACKAGE}/package.json`, 'utf8')) as {
      version: string;
    }
  ).version
}`;

export type PeerStore = PostgresEventStore;

/** Emmett's store on the bench database with its schema created (outside any measurement). */
export async function openPeer(databaseUrl: string): Promise<PeerStore> {
  const store = getPostgreSQLEventStore(databaseUrl);
  await store.schema.migrate();
  return store;
}

/** A clean store before a writing measurement, as ours and the baseline get (Emmett's own truncate). */
export const resetPeer = (store: PeerStore) =>
  store.schema.dangerous.truncate({ resetSequences: true });

/** Emmett's messages table, for counting what a measurement wrote and for VACUUM after a bulk load. */
export const PEER_MESSAGES = 'emt_messages';

/** An account's events for Emmett: an AccountOpened, then deposits, with the data and metadata the app writes. */
export function peerAccountEvents(accountId: string, count: number) {
  return Array.from({ length: count }, (_, i) => {
    const { type, data, metadata } = i === 0 ? opened(accountId) : deposited(accountId, i + 1);
    return { type, data, metadata };
  });
}
