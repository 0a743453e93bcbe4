import { positiveInteger } from './run-cli.js';

describe('positiveInteger', () => {
  it('takes digits only (issue 13 review: relay replay --from took 0x10 and 1e3)', () => {
    expect(positiveInteger('63622')).toBe(63622);
    for (const text of [
      '0x10',
      '1e3',
      ' 7',
      '7 ',
      '+7',
      '-7',
      '0',
      '1.5',
      '',
      '99999999999999999999',
    ])
      expect(positiveInteger(text)).toBeNaN();
  });
});
