import { ValidationPipe } from '@nestjs/common';
import { getMetadataStorage, IsInt, IsOptional, Min, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';
import fc from 'fast-check';
import { AppModule } from '../app.module.js';
import { validatedAsDeclared } from './validated-as-declared.js';
import { VALIDATION_OPTIONS } from './validation.js';

class Inner {
  @IsInt() n: number;
}
class WithNested {
  @ValidateNested() @Type(() => Inner) inner: Inner;
}
class Counted {
  @IsOptional() @IsInt() @Min(0) count?: number;
}
class Paged {
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) page?: number;
  @IsOptional() @IsInt() size?: number;
}

/** Every class the app's routes validate: their decorators ran when AppModule's modules were loaded. */
function validatedClasses(): Array<new () => object> {
  void AppModule;
  const { validationMetadatas } = getMetadataStorage() as unknown as {
    validationMetadatas: Map<unknown, unknown>;
  };
  return [...validationMetadatas.keys()].filter(
    (key): key is new () => object => typeof key === 'function',
  );
}

const properties = (metatype: new () => object) =>
  getMetadataStorage()
    .getTargetValidationMetadatas(metatype, undefined as unknown as string, false, false)
    .map((m) => m.propertyName);

/** Values near and across the DTOs' bounds, valid ones often enough that each class's fast path is taken. */
const field = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 1e12 }) },
  {
    weight: 4,
    arbitrary: fc.constantFrom('EUR', 'USD', 'transfer', 'cash', 'other', 'Ada', 'Main St 1'),
  },
  { weight: 2, arbitrary: fc.uuid() },
  fc.integer({ min: -5, max: 5 }),
  fc.integer(),
  fc.double(),
  fc.constantFrom(1e12 + 1, 2 ** 53, 2 ** 31, -1),
  fc.string({ maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 600 }),
  fc.constantFrom('unknown', '', ' ', 'a'.repeat(501), '2026-12-06', '12', '1.5'),
  fc.boolean(),
  fc.constant(null),
  fc.constant({}),
  fc.constant([1]),
);

describe('validatedAsDeclared: the ValidationPipe answer to a valid flat body, without its walk', () => {
  const pipe = new ValidationPipe(VALIDATION_OPTIONS);
  const slow = (value: string, metatype: new () => object) =>
    pipe.transform(JSON.parse(value) as unknown, { type: 'body', metatype }).then(
      (entity) => ({ entity }),
      (error: unknown) => ({ error }),
    );

  it('says valid only where the ValidationPipe answers, and answers the same instance', async () => {
    const classes = validatedClasses();
    expect(classes.length).toBeGreaterThan(20);
    const fast = new Map<string, number>();
    for (const metatype of classes) {
      const check = validatedAsDeclared(metatype);
      if (!check) continue;
      const keys = [...new Set(properties(metatype))];
      const declared = fc.record(Object.fromEntries(keys.map((key) => [key, field])), {
        requiredKeys: [],
      });
      const extra = fc.oneof(
        { weight: 3, arbitrary: fc.constant(null) },
        fc.tuple(fc.constantFrom('unknown', '__proto__'), field),
      );
      // As a request body arrives: JSON, parsed (a "__proto__" key included, as JSON.parse keeps it).
      const body = fc.tuple(declared, extra).map(([fields, more]) => {
        const json = JSON.stringify(fields);
        if (!more) return json;
        const member = `${JSON.stringify(more[0])}:${JSON.stringify(more[1])}`;
        return json === '{}' ? `{${member}}` : `${json.slice(0, -1)},${member}}`;
      });
      await fc.assert(
        fc.asyncProperty(body, async (json) => {
          const answer = check(JSON.parse(json));
          if (answer === undefined) return;
          fast.set(metatype.name, (fast.get(metatype.name) ?? 0) + 1);
          const expected = await slow(json, metatype);
          expect(expected).toEqual({ entity: answer });
          expect(Object.getPrototypeOf(answer)).toBe(metatype.prototype);
        }),
        { numRuns: 400 },
      );
    }
    // The hot bodies do take the fast path.
    expect(fast.get('DepositMoneyRequest')).toBeGreaterThan(0);
    expect(fast.get('MoneyMovementRequest')).toBeGreaterThan(0);
  });

  it('answers a query without the converted property as the pipe does (GET /accounts/:id: AccountParams converts atVersion)', async () => {
    const paged = validatedAsDeclared(Paged)!;
    for (const json of ['{}', '{"size":2}']) {
      const answer = paged(JSON.parse(json));
      expect(answer).toBeDefined();
      expect(await slow(json, Paged)).toEqual({ entity: answer });
    }
  });

  it('leaves to the pipe what it does not walk: nested classes, transformed properties, unknown fields', () => {
    expect(validatedAsDeclared(WithNested)).toBeUndefined();
    const counted = validatedAsDeclared(Counted)!;
    expect(counted({ count: 3 })).toEqual(Object.assign(new Counted(), { count: 3 }));
    expect(counted({})).toBeInstanceOf(Counted);
    expect(counted({ count: -1 })).toBeUndefined();
    expect(counted({ count: '3' })).toBeUndefined();
    expect(counted({ count: 3, other: 1 })).toBeUndefined();
    expect(counted(JSON.parse('{"__proto__": {"count": 1}}'))).toBeUndefined();
    expect(counted([])).toBeUndefined();
    expect(counted(null)).toBeUndefined();
    // A query without the property class-transformer converts is answered; one with it goes to the pipe.
    const paged = validatedAsDeclared(Paged)!;
    expect(paged({})).toEqual(new Paged());
    expect(paged({ size: 2 })).toEqual(Object.assign(new Paged(), { size: 2 }));
    expect(paged({ page: '2' })).toBeUndefined();
    expect(paged({ page: 2 })).toBeUndefined();
  });
});
