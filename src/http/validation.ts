import {
  ParseIntPipe,
  ParseUUIDPipe,
  ValidationPipe,
  type ArgumentMetadata,
  type ValidationError,
} from '@nestjs/common';
import { inputErrors, printable } from './input-rules.js';
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
  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'param') {
      const errors = inputErrors(value, metadata.data ?? 'path');
      if (errors.length > 0) throw new RequestValidationError(errors);
    }
    return super.transform(value, metadata);
  }
}

/** Whitelisting, unknown fields rejected, no implicit type coercion of bodies. */
export function validationPipe(): ValidationPipe {
  return new InputValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => new RequestValidationError(flatten(errors)),
  });
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
