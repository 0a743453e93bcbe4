import {
  RequestMethod,
  type DynamicModule,
  type ForwardReference,
  type Type,
} from '@nestjs/common';
import {
  INTERCEPTORS_METADATA,
  METHOD_METADATA,
  MODULE_METADATA,
} from '@nestjs/common/constants.js';
import { IdempotencyInterceptor } from './idempotency.interceptor.js';

const COMMANDS = new Set([
  RequestMethod.POST,
  RequestMethod.PUT,
  RequestMethod.PATCH,
  RequestMethod.DELETE,
]);

type Imported = Type | DynamicModule | Promise<DynamicModule> | ForwardReference;

/**
 * Binds IdempotencyInterceptor to every command route (POST, PUT, PATCH, DELETE) of the controllers these modules
 * declare, and their imports', before Nest scans them: the interceptor is Idempotency-Key for each of them, as if
 * every such method said `@UseInterceptors(IdempotencyInterceptor)`. Not global: Nest wraps a route that has any
 * interceptor in observables and async resources of its own, about a fifth of a read's CPU (bench/findings.md),
 * and reads need none. Idempotent: a method already bound keeps its one binding.
 */
export function bindIdempotencyToCommands(modules: readonly Imported[]): void {
  const seen = new Set<unknown>();
  const visit = (imported: Imported | undefined): void => {
    if (!imported || imported instanceof Promise || seen.has(imported)) return;
    seen.add(imported);
    if ('forwardRef' in imported) return visit(imported.forwardRef() as Imported);
    const dynamic = 'module' in imported ? imported : undefined;
    const type = dynamic ? dynamic.module : (imported as Type);
    const controllers: Type[] = [
      ...((Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, type) as Type[] | undefined) ?? []),
      ...(dynamic?.controllers ?? []),
    ];
    controllers.forEach(bindCommandsOf);
    const imports: Imported[] = [
      ...((Reflect.getMetadata(MODULE_METADATA.IMPORTS, type) as Imported[] | undefined) ?? []),
      ...(dynamic?.imports ?? []),
    ];
    imports.forEach(visit);
  };
  modules.forEach(visit);
}

function bindCommandsOf(controller: Type): void {
  const prototype = controller.prototype as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(prototype)) {
    const method = Object.getOwnPropertyDescriptor(prototype, name)?.value as unknown;
    if (typeof method !== 'function') continue;
    const verb = Reflect.getMetadata(METHOD_METADATA, method) as RequestMethod | undefined;
    if (verb === undefined || !COMMANDS.has(verb)) continue;
    const bound =
      (Reflect.getMetadata(INTERCEPTORS_METADATA, method) as unknown[] | undefined) ?? [];
    if (bound.includes(IdempotencyInterceptor)) continue;
    Reflect.defineMetadata(INTERCEPTORS_METADATA, [IdempotencyInterceptor, ...bound], method);
  }
}
