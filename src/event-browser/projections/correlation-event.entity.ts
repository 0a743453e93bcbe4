import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../../shared/bigint.transformer.js';

/**
 * An event that carries a correlation id, keyed by `correlationKey`: the id itself when it is a UUID, else its
 * pseudonym (correlationPseudonym), so a free-text id is never stored in clear here.
 */
@Entity('correlation_events')
export class CorrelationEvent {
  @PrimaryColumn('text', { name: 'correlation_key' })
  correlationKey: string;

  @PrimaryColumn('bigint', { name: 'global_position', transformer: bigintAsNumber })
  globalPosition: number;

  @Column('text', { name: 'stream_id' })
  streamId: string;
}
