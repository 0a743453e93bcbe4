import {
  ParseIntPipe,
  ParseUUIDPipe,
  ValidationPipe,
  type ArgumentMetadata,
  type Type,
  type ValidationPipeOptions,
  type ValidationError,
} from '@nestjs/common';
import { inputErrors, printable } from './input-rules.js';
import { validatedAsDeclared } from './validated-as-declared.js';
import { RequestValidationError, type FieldError } from './problem.js';

function flatten(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = printable(prefix ? `${prefix}.${error.property}` : error.property);
    const own = error.constraints
      ? [{ field, messages: Object.values(error.constraints).map(printable) }]
      : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** Bodies and queries are held to the input rules at the door (requireStorableInput); path parameters here. */
class InputValidationPipe extends ValidationPipe {
  private readonly checks = new Map<Type, ReturnType<typeof validatedAsDeclared>>();

  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'param') {
      const errors = inputErrors(value, metadata.data ?? 'path');
      if (errors.length > 0) throw new RequestValidationError(errors);
    }
    const valid = this.checkOf(metadata)?.(value);
    return valid ? Promise.resolve(valid) : super.transform(value, metadata);
  }

  private checkOf(metadata: ArgumentMetadata) {
    const { metatype } = metadata;
    if (!metatype || !this.toValidate(metadata)) return undefined;
    if (!this.checks.has(metatype))
      this.checks.set(metatype, validatedAsDeclared(metatype as new () => object));
    return this.checks.get(metatype);
  }
}

/** Whitelisting, unknown fields rejected, no implicit type coercion of bodies. */
export const VALIDATION_OPTIONS: ValidationPipeOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  stopAtFirstError: false,
  exceptionFactory: (errors) => new RequestValidationError(flatten(errors)),
};

export function validationPipe(): ValidationPipe {
  return new InputValidationPipe(VALIDATION_OPTIONS);
}

/** A UUID in its one spelling, lowercase: stream ids, read-model keys and personal-data subjects all match it. */
class CanonicalUuidPipe extends ParseUUIDPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata) {
    return (await super.transform(value, metadata))?.toLowerCase();
  }
}

export const uuidParam = (field: string) =>
  new CanonicalUuidPipe({
    exceptionFactory: () =>
      new RequestValidationError([{ field, messages: [`${field} must be a UUID`] }]),
  });

export const intParam = (field: string) =>
  new ParseIntPipe({
    exceptionFactory: () =>
      new RequestValidationError([{ field, messages: [`${field} must be an integer`] }]),
  });
