import type { FieldError } from './problem.js';

/**
 * What PostgreSQL cannot hold (text and jsonb refuse U+0000) and UTF-8 cannot encode (an unpaired surrogate).
 * Noncharacters such as U+FFFE and U+FFFF are valid UTF-8 and stored as sent, so they are let in.
 */
// eslint-disable-next-line no-control-regex -- U+0000 is the very code point refused
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Keys that Nest's ValidationPipe deletes without a word; refused like any other unknown field instead. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor']);

/** Deeper input is refused before anything recursive (validation, fingerprints) can overflow the stack. */
export const MAX_INPUT_DEPTH = 32;
/** A body full of bad strings is named a few fields at a time, not answered with a larger body. */
const MAX_ERRORS = 20;

const hex = (unit: number) => `U+${unit.toString(16).toUpperCase().padStart(4, '0')}`;

/** The first unstorable code unit of `text`, as `U+XXXX`, or undefined when every one can be stored. */
export function unstorableCodePoint(text: string): string | undefined {
  const match = UNSTORABLE.exec(text);
  return match ? hex(match[0].charCodeAt(0)) : undefined;
}

/** `text` with its unstorable code units written as \uXXXX, so that naming a field never stores one either. */
export function printable(text: string): string {
  return text.replace(
    new RegExp(UNSTORABLE.source, 'g'),
    (unit) => `\\u${hex(unit.charCodeAt(0)).slice(2)}`,
  );
}

function describe(code: string): string {
  return code === 'U+0000' ? 'U+0000 (NUL)' : `an unpaired surrogate (${code})`;
}

/**
 * Every field of a parsed input (a body, a query, a path parameter) that cannot get in: a string or a key holding
 * an unstorable code point, a key that is never a field, nesting deeper than MAX_INPUT_DEPTH. Fields are named
 * like class-validator names them (`lines.0.name`).
 */
export function inputErrors(value: unknown, field = ''): FieldError[] {
  const errors: FieldError[] = [];
  const pending: Array<{ value: unknown; field: string; depth: number }> = [
    { value, field, depth: 0 },
  ];
  for (let head = 0; head < pending.length && errors.length < MAX_ERRORS; head += 1) {
    const next = pending[head];
    const name = next.field || 'body';
    if (typeof next.value === 'string') {
      const code = unstorableCodePoint(next.value);
      if (code) {
        errors.push({
          field: printable(name),
          messages: [`${printable(name)} contains ${describe(code)}, which cannot be stored`],
        });
      }
      continue;
    }
    if (next.value === null || typeof next.value !== 'object') continue;
    if (next.depth >= MAX_INPUT_DEPTH) {
      errors.push({
        field: printable(name),
        messages: [`${printable(name)} is nested more than ${MAX_INPUT_DEPTH} levels deep`],
      });
      continue;
    }
    for (const key of Object.keys(next.value)) {
      const path = next.field ? `${next.field}.${key}` : key;
      const code = unstorableCodePoint(key);
      if (code || FORBIDDEN_KEYS.has(key)) {
        errors.push({
          field: printable(path),
          messages: [
            code
              ? `The field name ${printable(path)} contains ${describe(code)}, which cannot be stored`
              : `property ${key} should not exist`,
          ],
        });
        continue;
      }
      pending.push({
        value: (next.value as Record<string, unknown>)[key],
        field: path,
        depth: next.depth + 1,
      });
    }
  }
  return errors.slice(0, MAX_ERRORS);
}
