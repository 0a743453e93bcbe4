import { Param } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { uuidParam } from './validation.js';

/** A path parameter that must be a UUID (else 400 naming it), declared `format: uuid` in the document. */
export const UuidParam =
  (name: string): ParameterDecorator =>
  (target, key, index) => {
    Param(name, uuidParam(name))(target, key, index);
    const method = Object.getOwnPropertyDescriptor(target, key!)!;
    ApiParam({ name, type: String, format: 'uuid' })(target, key!, method);
  };
