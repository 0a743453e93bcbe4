import type { ValueTransformer } from 'typeorm';

/** pg returns bigint as a string; money and positions stay below 2^53, so they are read back as safe integers. */
export const bigintAsNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => {
    if (value === null) return null;
    const n = Number(value);
    if (!Number.isSafeInteger(n))
      throw new Error(`bigint ${value} is beyond the safe integer range`);
    return n;
  },
};
