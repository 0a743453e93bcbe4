import { applyDecorators } from '@nestjs/common';

/** Decorators applied bottom-up, as when stacked in source: documents and validation messages keep their order. */
export const stacked = (
  ...decorators: Array<ClassDecorator | MethodDecorator | PropertyDecorator>
) => applyDecorators(...decorators.reverse());
