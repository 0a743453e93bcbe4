import { canonicalSubject, customerIdOf } from './principal.js';

describe('customer ids from token subjects', () => {
  it('takes a UUID subject as it is, in lower case, whatever case the token spells it in', () => {
    const id = '7d0c6f8e-3b1a-4c5d-9e2f-0a1b2c3d4e5f';
    expect(customerIdOf(id)).toBe(id);
    expect(customerIdOf(id.toUpperCase())).toBe(id);
    expect(canonicalSubject(id.toUpperCase())).toBe(id);
  });

  it('derives a stable id from any other subject', () => {
    expect(customerIdOf('auth0|5f0c1a')).toBe(customerIdOf('auth0|5f0c1a'));
    expect(customerIdOf('auth0|5f0c1a')).not.toBe(customerIdOf('auth0|5f0c1b'));
    expect(canonicalSubject('auth0|5F0C1A')).toBe('auth0|5F0C1A');
  });

  it("never lets a subject name another subject's customer: a subject spelling a derived id is derived again", () => {
    const victim = customerIdOf('auth0|victim');
    for (const attacker of [victim, victim.toUpperCase()]) {
      expect(customerIdOf(attacker)).not.toBe(victim);
    }
  });
});
