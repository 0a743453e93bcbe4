import { ApiProperty } from '@nestjs/swagger';
import { StoredEventResponse } from '../../../shared/stored-event.response.js';

export class EventsPage {
  @ApiProperty({ type: [StoredEventResponse] })
  items: StoredEventResponse[];

  @ApiProperty({
    example: 21,
    nullable: true,
    type: Number,
    description: 'Pass as `fromVersion` for the next page',
  })
  nextFromVersion: number | null;
}
