import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, Length, Matches } from 'class-validator';
import { ADDRESS_LIMITS, POSTAL_CODE } from '../../domain/cart.js';
import { COUNTRY_CODES } from '../../domain/countries.js';

const NOT_BLANK = /\S/;
const notBlank = (field: string) => ({ message: `${field} must not be blank` });

/** Personal data of the customer (all but the country); stored trimmed. */
export class ShippingInfoRequest {
  @ApiProperty({ example: 'Ada Lovelace', minLength: 1, maxLength: ADDRESS_LIMITS.name })
  @IsString()
  @Length(1, ADDRESS_LIMITS.name)
  @Matches(NOT_BLANK, notBlank('name'))
  name: string;

  @ApiProperty({ example: '12 St James Square', minLength: 1, maxLength: ADDRESS_LIMITS.street })
  @IsString()
  @Length(1, ADDRESS_LIMITS.street)
  @Matches(NOT_BLANK, notBlank('street'))
  street: string;

  @ApiProperty({ example: 'London', minLength: 1, maxLength: ADDRESS_LIMITS.city })
  @IsString()
  @Length(1, ADDRESS_LIMITS.city)
  @Matches(NOT_BLANK, notBlank('city'))
  city: string;

  @ApiProperty({
    example: 'SW1Y 4JH',
    minLength: 1,
    maxLength: ADDRESS_LIMITS.postalCode,
    description: 'Letters, digits, spaces and hyphens',
  })
  @IsString()
  @Length(1, ADDRESS_LIMITS.postalCode)
  @Matches(POSTAL_CODE, {
    message: 'postalCode may hold only letters, digits, spaces and hyphens',
  })
  postalCode: string;

  @ApiProperty({ example: 'GB', description: 'ISO 3166-1 alpha-2, capital letters' })
  @IsString()
  @IsIn(COUNTRY_CODES, { message: 'country must be an ISO 3166-1 alpha-2 code, e.g. DE' })
  country: string;
}
