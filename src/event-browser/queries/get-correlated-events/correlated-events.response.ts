import { ApiProperty } from '@nestjs/swagger';
import { StoredEventResponse } from '../../../shared/stored-event.response.js';

export class CorrelatedEventsPage {
  @ApiProperty({ example: '8c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f' })
  correlationId: string;

  @ApiProperty({ type: [StoredEventResponse], description: 'In global order; none found: empty' })
  events: StoredEventResponse[];

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 1042,
    description: 'Pass as `after` for the next page; null: the last page',
  })
  next: number | null;
}
