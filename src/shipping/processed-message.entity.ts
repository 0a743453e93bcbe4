import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An idempotent consumer's memory: a message id, recorded in the transaction of its effect. */
@Entity('processed_messages')
export class ProcessedMessage {
  @PrimaryColumn('text')
  consumer: string;

  @PrimaryColumn('uuid', { name: 'message_id' })
  messageId: string;

  @Column('timestamptz', { name: 'processed_at', default: () => 'now()' })
  processedAt: Date;
}
