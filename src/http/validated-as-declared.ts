import { getMetadataStorage, ValidationTypes, type ValidationArguments } from 'class-validator';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage.js';

type Metatype = new () => object;
/** The instance the ValidationPipe would return for `value`; undefined when it cannot tell. */
type Check = (value: unknown) => object | undefined;

interface Rule {
  readonly property: string;
  /** IsOptional and ValidateIf: when one says no, the property's other rules are not checked. */
  readonly conditions: ReadonlyArray<(object: object, value: unknown) => boolean>;
  readonly constraints: ReadonlyArray<{
    readonly validateIf?: (object: object, value: unknown) => boolean;
    readonly constraints: unknown[];
    readonly validate: (value: unknown, args: ValidationArguments) => unknown;
  }>;
}

const SUPPORTED = new Set<string>([
  ValidationTypes.CUSTOM_VALIDATION,
  ValidationTypes.CONDITIONAL_VALIDATION,
  ValidationTypes.IS_DEFINED,
  ValidationTypes.WHITELIST,
]);

/**
 * The ValidationPipe's answer to a valid flat body or query by the same class-validator rules, without the generic
 * walk (a twentieth of a deposit's CPU). It only ever says "valid": anything else goes to the pipe, which writes the
 * errors; so does a value holding a property class-transformer converts (an empty query of such a class is answered).
 * See docs/architecture.md#http-input-and-headers.
 */
export function validatedAsDeclared(metatype: Metatype): Check | undefined {
  const storage = getMetadataStorage();
  const metadatas = storage.getTargetValidationMetadatas(
    metatype,
    undefined as unknown as string, // no schema, as validate(object) asks
    false,
    false,
  );
  if (metadatas.length === 0) return undefined;
  if (metadatas.some((m) => !SUPPORTED.has(m.type) || m.each)) return undefined;
  if (
    defaultMetadataStorage.getExposedMetadatas(metatype).length > 0 ||
    defaultMetadataStorage.getExcludedMetadatas(metatype).length > 0
  )
    return undefined;
  const rules: Rule[] = [];
  /** Properties class-transformer converts: a value that holds one is left to the pipe. */
  const transformed = new Set<string>();
  for (const [property, own] of Object.entries(storage.groupByPropertyName(metadatas))) {
    if (
      defaultMetadataStorage.findTypeMetadata(metatype, property) ||
      defaultMetadataStorage.findTransformMetadatas(metatype, property, 0).length > 0
    )
      transformed.add(property);
    const constraints: Array<Rule['constraints'][number]> = [];
    // class-validator checks IsDefined first, then the others.
    const checked = [
      ...own.filter((m) => m.type === ValidationTypes.IS_DEFINED),
      ...own.filter((m) => m.type === ValidationTypes.CUSTOM_VALIDATION),
    ];
    for (const m of checked) {
      for (const constraint of storage.getTargetValidatorConstraints(m.constraintCls)) {
        if (constraint.async) return undefined;
        const instance = constraint.instance as {
          validate: Rule['constraints'][number]['validate'];
        };
        constraints.push({
          validateIf: m.validateIf,
          constraints: m.constraints,
          validate: instance.validate.bind(instance),
        });
      }
    }
    rules.push({
      property,
      conditions: own
        .filter((m) => m.type === ValidationTypes.CONDITIONAL_VALIDATION)
        .map((m) => m.constraints[0] as Rule['conditions'][number]),
      constraints,
    });
  }
  const allowed = new Set(rules.map((r) => r.property));

  return (value) => {
    if (value === null || typeof value !== 'object' || !isPlain(value)) return undefined;
    for (const key of Object.keys(value)) {
      const field = (value as Record<string, unknown>)[key];
      if (
        !allowed.has(key) ||
        transformed.has(key) ||
        (field !== null && typeof field === 'object')
      )
        return undefined;
    }
    const object = Object.assign(new metatype(), value) as Record<string, unknown>;
    for (const { property, conditions, constraints } of rules) {
      const field = object[property];
      if (!conditions.every((condition) => condition(object, field))) continue;
      for (const rule of constraints) {
        if (rule.validateIf && !rule.validateIf(object, field)) continue;
        const args: ValidationArguments = {
          targetName: metatype.name,
          property,
          object,
          value: field,
          constraints: rule.constraints,
        };
        if (rule.validate(field, args) !== true) return undefined;
      }
    }
    return object;
  };
}

/** What JSON.parse makes: an object whose prototype is Object.prototype (of any realm), or none. */
function isPlain(value: object): boolean {
  const prototype = Object.getPrototypeOf(value) as object | null;
  return prototype === null || Object.getPrototypeOf(prototype) === null;
}
