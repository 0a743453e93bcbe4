/** Whether this instance's broker connection is up: provided (as BROKER_LINK) only when NATS_URL is set. */
export interface BrokerLink {
  readonly servers: string;
  readonly isConnected: boolean;
}

export const BROKER_LINK = Symbol('BROKER_LINK');
