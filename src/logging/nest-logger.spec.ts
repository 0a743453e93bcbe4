import type { PinoLogger } from 'nestjs-pino';
import { AppLogger } from './nest-logger.js';

describe('AppLogger', () => {
  const written: Array<[string, unknown, unknown]> = [];
  const pino = {
    info: (fields: unknown, message: unknown) => written.push(['info', fields, message]),
    debug: (fields: unknown, message: unknown) => written.push(['debug', fields, message]),
  } as unknown as PinoLogger;
  const logger = new AppLogger(pino, {});

  beforeEach(() => (written.length = 0));

  it("logs Nest's module and route mapping lines at debug", () => {
    logger.log('Mapped {/accounts/:id, GET} route', 'RouterExplorer');
    logger.log('AccountsController {/accounts}:', 'RoutesResolver');
    logger.log('AccountsModule dependencies initialized', 'InstanceLoader');
    expect(written.map(([level]) => level)).toEqual(['debug', 'debug', 'debug']);
    expect(written[0]).toEqual([
      'debug',
      { context: 'RouterExplorer' },
      'Mapped {/accounts/:id, GET} route',
    ]);
  });

  it("keeps the app's own lines at info", () => {
    logger.log('Projection accounts: lease acquired', 'ProjectionRunner');
    expect(written).toEqual([
      ['info', { context: 'ProjectionRunner' }, 'Projection accounts: lease acquired'],
    ]);
  });
});
