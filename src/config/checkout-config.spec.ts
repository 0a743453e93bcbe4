import { ConfigError, loadConfig } from './config.js';

describe('CHECKOUT_PAYMENT_TIMEOUT_MS', () => {
  it('is how long the checkout saga waits for the payment: 30 s unless set, 100 ms to a day', () => {
    expect(loadConfig({}).checkout).toEqual({ paymentTimeoutMs: 30_000 });
    expect(loadConfig({ CHECKOUT_PAYMENT_TIMEOUT_MS: '100' }).checkout.paymentTimeoutMs).toBe(100);
    expect(loadConfig({ CHECKOUT_PAYMENT_TIMEOUT_MS: '86400000' }).checkout.paymentTimeoutMs).toBe(
      86_400_000,
    );
  });

  it.each(['99', '1.5', 'soon', '86400001'])('refuses %s, naming the variable', (raw) => {
    const load = () => loadConfig({ CHECKOUT_PAYMENT_TIMEOUT_MS: raw });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(
      new RegExp(
        `^CHECKOUT_PAYMENT_TIMEOUT_MS must be an integer from 100 to 86400000, got "${raw}"$`,
      ),
    );
  });
});
