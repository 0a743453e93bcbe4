const ISO_CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

/** The ISO 4217 codes this runtime knows, e.g. EUR. */
export const CURRENCY_CODES: readonly string[] = [...ISO_CURRENCIES];

/** An ISO 4217 code: three capital letters the runtime knows as a currency. */
export function isCurrencyCode(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Z]{3}$/.test(value) && ISO_CURRENCIES.has(value);
}
