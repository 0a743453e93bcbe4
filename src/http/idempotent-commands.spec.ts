import 'reflect-metadata';
import { RequestMethod, type Type } from '@nestjs/common';
import {
  INTERCEPTORS_METADATA,
  METHOD_METADATA,
  MODULE_METADATA,
} from '@nestjs/common/constants.js';
import { AppModule } from '../app.module.js';
import { loadConfig } from '../config/config.js';
import { IdempotencyInterceptor } from './idempotency.interceptor.js';

type Route = { route: string; verb: RequestMethod; interceptors: unknown[] };

/** Every route handler of the app's controllers, found through the module graph AppModule.forRoot builds. */
function routesOf(root: { module: Type; imports?: unknown[] }): Route[] {
  const routes: Route[] = [];
  const seen = new Set<unknown>();
  const visit = (imported: unknown): void => {
    if (!imported || seen.has(imported) || imported instanceof Promise) return;
    seen.add(imported);
    const dynamic =
      typeof imported === 'object'
        ? (imported as { module: Type; controllers?: Type[]; imports?: unknown[] })
        : undefined;
    const type = dynamic ? dynamic.module : (imported as Type);
    const controllers = [
      ...((Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, type) as Type[] | undefined) ?? []),
      ...(dynamic?.controllers ?? []),
    ];
    for (const controller of controllers)
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[name];
        if (typeof handler !== 'function') continue;
        const verb = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (verb === undefined) continue;
        const interceptors =
          (Reflect.getMetadata(INTERCEPTORS_METADATA, handler) as unknown[]) ?? [];
        routes.push({ route: `${controller.name}.${name}`, verb, interceptors });
      }
    [
      ...((Reflect.getMetadata(MODULE_METADATA.IMPORTS, type) as unknown[]) ?? []),
      ...(dynamic?.imports ?? []),
    ].forEach(visit);
  };
  visit(root);
  return routes;
}

describe('Idempotency-Key on command routes only', () => {
  const app = AppModule.forRoot({ ...loadConfig({}), databaseUrl: 'postgres://unused' });
  const routes = routesOf(app);
  const commands = routes.filter(({ verb }) =>
    [RequestMethod.POST, RequestMethod.PUT, RequestMethod.PATCH, RequestMethod.DELETE].includes(
      verb,
    ),
  );

  it('binds IdempotencyInterceptor once to every POST, PUT, PATCH and DELETE route of every controller', () => {
    // Those of accounts, carts, customers, shipments and the projections' operations.
    expect(commands.length).toBeGreaterThanOrEqual(14);
    for (const { route, interceptors } of commands)
      expect({
        route,
        bound: interceptors.filter((i) => i === IdempotencyInterceptor).length,
      }).toEqual({
        route,
        bound: 1,
      });
  });

  it('leaves every read without an interceptor: Nest runs such a route without its observables', () => {
    const reads = routes.filter(({ verb }) => verb === RequestMethod.GET);
    expect(reads.length).toBeGreaterThan(15);
    expect(
      reads.filter(({ interceptors }) => interceptors.length > 0).map(({ route }) => route),
    ).toEqual([]);
  });

  it('binds once however often the app module is built', () => {
    AppModule.forRoot({ ...loadConfig({}), databaseUrl: 'postgres://unused' });
    for (const { route, interceptors } of routesOf(app).filter((r) =>
      commands.some((c) => c.route === r.route),
    ))
      expect({ route, bound: interceptors.length }).toEqual({ route, bound: 1 });
  });
});
