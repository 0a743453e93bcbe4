import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';

/** Query parameters every read accepts. */
export class ConsistentReadParams {
  @ApiPropertyOptional({
    description:
      'Wait until the read model has processed the event at this global position (a command response `position`). Also accepted as the X-Consistent-With header.',
  })
  @IsOptional()
  @Matches(/^\d+$/, { message: 'consistentWith must be a positive integer position' })
  consistentWith?: string;
}
