import { RequestMethod, type ExecutionContext } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';

const routes = new WeakMap<object, string>();

const join = (...parts: Array<string | undefined>) =>
  parts
    .flatMap((part) => (part ?? '').split('/'))
    .filter((segment) => segment !== '')
    .map((segment) => segment.replace(/^:(.+)$/, '{$1}'))
    .join('/');

/** The route as the OpenAPI document names it (`POST /accounts/{id}/deposits`), worked out once per handler. */
export function routeOf(context: ExecutionContext): string {
  const handler = context.getHandler();
  let route = routes.get(handler);
  if (route === undefined) {
    const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
    const path = join(
      Reflect.getMetadata(PATH_METADATA, context.getClass()) as string,
      Reflect.getMetadata(PATH_METADATA, handler) as string,
    );
    route = `${method} /${path}`;
    routes.set(handler, route);
  }
  return route;
}
