import { ParseIntPipe, ParseUUIDPipe, ValidationPipe, type ValidationError } from '@nestjs/common';
import { RequestValidationError, type FieldError } from './problem.js';

function flatten(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, messages: Object.values(error.constraints) }] : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** Whitelisting, unknown fields rejected, no implicit type coercion of bodies. */
export function validationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => new RequestValidationError(flatten(errors)),
  });
}

export const uuidParam = (field: string) =>
  new ParseUUIDPipe({
    exceptionFactory: () =>
      new RequestValidationError([{ field, messages: [`${field} must be a UUID`] }]),
  });

export const intParam = (field: string) =>
  new ParseIntPipe({
    exceptionFactory: () =>
      new RequestValidationError([{ field, messages: [`${field} must be an integer`] }]),
  });
