import { deterministicUuid } from '../../event-store/index.js';
import type { CheckoutMessage, CheckoutStep, CommandIdOf } from '../domain/checkout.js';

/** The id of every command a saga sends: the same step of the same saga always has the same id. */
export const checkoutCommandId: CommandIdOf = (orderId: string, step: CheckoutStep): string =>
  deterministicUuid('checkout', orderId, step);

/** The command id under which the saga records its reaction to a message (each decides once per saga). */
export const checkoutRecordId = (orderId: string, message: CheckoutMessage['type']): string =>
  deterministicUuid('checkout', orderId, 'record', message);
