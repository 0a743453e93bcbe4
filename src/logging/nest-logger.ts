import { Injectable } from '@nestjs/common';
import { Logger } from 'nestjs-pino';

/** Nest's start-up chatter: a line per module, controller and route. Useful when debugging, noise otherwise. */
const CHATTER = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
]);

/**
 * Nest's LoggerService over the process's pino logger (nestjs-pino): every `new Logger(context)` in the app and
 * Nest's own lines go through it, at LOG_LEVEL. Nest's module and route mapping lines are logged at debug.
 */
@Injectable()
export class AppLogger extends Logger {
  override log(message: unknown, ...params: unknown[]): void {
    const context = params[params.length - 1];
    if (typeof context === 'string' && CHATTER.has(context)) super.debug(message, ...params);
    else super.log(message, ...params);
  }
}
