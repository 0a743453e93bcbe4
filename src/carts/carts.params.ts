import type { PipeTransform } from '@nestjs/common';
import { RequestValidationError } from '../http/problem.js';
import { PRODUCT_ID } from './domain/cart.js';

/** A product id in the path: 400 naming it when it is not a product token. */
export const productIdParam: PipeTransform<string, string> = {
  transform(value: string) {
    if (!PRODUCT_ID.test(value)) {
      throw new RequestValidationError([
        {
          field: 'productId',
          messages: [
            'productId must be 1 to 64 characters of A-Z a-z 0-9 . _ : -, starting with a letter or digit',
          ],
        },
      ]);
    }
    return value;
  },
};
