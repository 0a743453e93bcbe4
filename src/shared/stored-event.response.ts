import { ApiProperty } from '@nestjs/swagger';
import type { PersistedEvent } from '../event-store/index.js';

/** An event as stored, as the raw events endpoint and the live streams show it. */
export class StoredEventResponse {
  @ApiProperty({ example: 'c3a4d1f0-59a4-4f6e-8f5e-0d9f3b1e7a21', format: 'uuid' })
  eventId: string;

  @ApiProperty({ example: 'account-0b6f1f7e-2c1d-4a4e-9d7b-3f0e5a1c2b9d' })
  streamId: string;

  @ApiProperty({ example: 2 })
  version: number;

  @ApiProperty({ example: 1042 })
  position: number;

  @ApiProperty({ example: 'MoneyDeposited' })
  type: string;

  @ApiProperty({ example: 1 })
  schemaVersion: number;

  @ApiProperty({
    example: {
      accountId: '0b6f1f7e-2c1d-4a4e-9d7b-3f0e5a1c2b9d',
      amount: 2500,
      description: 'Salary',
    },
  })
  data: Record<string, unknown>;

  @ApiProperty({
    example: {
      commandId: '8c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
      correlationId: '8c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
      causationId: '8c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
      actor: '0c3f2a1e-5b7d-4e69-8a10-7d2c4b6e9f01',
      client: 'mobile-app',
    },
  })
  metadata: Record<string, unknown>;

  @ApiProperty({ example: '2026-11-22T09:05:00.000Z', format: 'date-time' })
  recordedAt: string;
}

/** The event as stored (its personal data as the read decrypted it), field for field. */
export function storedEventOf(e: PersistedEvent): StoredEventResponse {
  return {
    eventId: e.eventId,
    streamId: e.streamId,
    version: e.streamVersion,
    position: e.globalPosition,
    type: e.type,
    schemaVersion: e.schemaVersion,
    data: e.data,
    metadata: e.metadata,
    recordedAt: e.recordedAt.toISOString(),
  };
}
