import { randomUUID } from 'node:crypto';
import { timeOrderedUuid } from '../../event-store/index.js';
import { persistedEvent } from '../../event-store/testing/persisted-events.js';
import { checkoutCommandId } from './checkout-ids.js';
import { messageOf } from './checkout-messages.js';

const orderId = randomUUID();
const withdrawn = (metadata: Record<string, unknown>) =>
  persistedEvent(
    { type: 'MoneyWithdrawn', data: { accountId: randomUUID(), amount: 1_200 } },
    { metadata },
  );

describe('checkout messages: which saga an answer is for', () => {
  it("matches the saga's answer by its saga id and command id, and carries the checkout's correlation id", () => {
    const answer = withdrawn({
      commandId: checkoutCommandId(orderId, 'withdraw'),
      sagaId: orderId,
      correlationId: 'checkout-request-1',
    });
    expect(messageOf(answer)).toEqual({
      orderId,
      message: { type: 'payment-succeeded', withdrawalPosition: answer.globalPosition },
      correlationId: 'checkout-request-1',
    });
  });

  it('still matches an answer stored before the saga id, whose correlation id was the order id', () => {
    const answer = withdrawn({
      commandId: checkoutCommandId(orderId, 'withdraw'),
      correlationId: orderId,
    });
    expect(messageOf(answer)).toMatchObject({ orderId, correlationId: orderId });
  });

  it("takes no other command for the saga's answer: another step's id, a made-up id, a request's metadata", () => {
    const refund = checkoutCommandId(orderId, 'refund');
    expect(messageOf(withdrawn({ commandId: refund, sagaId: orderId }))).toBeUndefined();
    expect(messageOf(withdrawn({ commandId: randomUUID(), sagaId: orderId }))).toBeUndefined();
    expect(
      messageOf(withdrawn({ commandId: randomUUID(), correlationId: orderId })),
    ).toBeUndefined();
    const httpCommand = timeOrderedUuid();
    expect(
      messageOf(withdrawn({ commandId: httpCommand, correlationId: httpCommand })),
    ).toBeUndefined();
  });

  it('gives a dispatch no correlation id: it is the operator request of its own', () => {
    const dispatched = persistedEvent(
      { type: 'ShipmentDispatched', data: { shipmentId: randomUUID(), orderId } },
      { metadata: { correlationId: 'dispatch-request' } },
    );
    expect(messageOf(dispatched)).toEqual({
      orderId,
      message: { type: 'shipment-dispatched', shipmentId: dispatched.data.shipmentId },
    });
  });
});
