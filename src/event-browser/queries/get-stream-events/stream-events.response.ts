import { ApiProperty } from '@nestjs/swagger';
import { StoredEventResponse } from '../../../shared/stored-event.response.js';

export class StreamEventsPage {
  @ApiProperty({ example: 'account-0b6f1f7e-2c1d-4a4e-9d7b-3f0e5a1c2b9d' })
  streamId: string;

  @ApiProperty({ type: [StoredEventResponse] })
  events: StoredEventResponse[];

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 51,
    description: 'Pass as `fromVersion` for the next page; null: the last page',
  })
  next: number | null;
}
