import { ApiProperty } from '@nestjs/swagger';
import { AccountResponse } from '../get-account/account.response.js';

/** The account rebuilt from its events up to a point in the past. */
export class AccountAsOfResponse extends AccountResponse {
  @ApiProperty({
    example: '2026-11-22T09:05:00.000Z',
    format: 'date-time',
    description: 'When the last event applied (the one at `version`) was recorded',
  })
  recordedAt: string;
}
