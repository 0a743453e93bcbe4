import { ApiProperty } from '@nestjs/swagger';

export class CommandAccepted {
  @ApiProperty({ example: '0b6f1f7e-2c1d-4a4e-9d7b-3f0e5a1c2b9d', format: 'uuid' })
  id: string;

  @ApiProperty({
    example: 3,
    description: 'The stream version after the command; send it as If-Match to update safely',
  })
  version: number;

  @ApiProperty({
    example: 1042,
    description:
      'Global position of the last event written; pass it as consistentWith to read your own write',
  })
  position: number;
}
