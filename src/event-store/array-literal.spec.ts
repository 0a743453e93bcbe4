import { createRequire } from 'node:module';
import { arrayLiteral } from './array-literal.js';

/** pg's own conversion of a parameter to the text it sends (an array: its array literal). */
const { prepareValue } = createRequire(import.meta.url)('pg/lib/utils.js') as {
  prepareValue(value: unknown): unknown;
};

describe('arrayLiteral', () => {
  it('builds the array literal pg would, or leaves the array to pg', () => {
    const scalars = [
      '',
      'NULL',
      'a "b" \\c\\',
      '{x},y',
      'ünï',
      null,
      undefined,
      0,
      -1.5,
      1e21,
      NaN,
      10n,
      true,
      JSON.stringify({ description: 'a "quoted" \\ back\\slash', nested: { list: [1, '}'] } }),
      '\u0000 \ud800 lone',
    ];
    expect(arrayLiteral(scalars)).toBe(prepareValue(scalars));
    expect(arrayLiteral([Buffer.from('sealed'), null])).toBe(
      prepareValue([Buffer.from('sealed'), null]),
    );
    expect(arrayLiteral([])).toBe(prepareValue([]));
    expect(arrayLiteral(['a', new Date(0)])).toBeUndefined();
    expect(arrayLiteral([{ a: 1 }])).toBeUndefined();
  });
});
