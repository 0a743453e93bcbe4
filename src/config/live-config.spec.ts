import { ConfigError, loadConfig } from './config.js';

describe('live subscription configuration', () => {
  it('has defaults, and takes each LIVE_* variable within its bounds', () => {
    expect(loadConfig({}).live).toEqual({
      heartbeatMs: 15_000,
      bufferEvents: 1000,
      bufferBytes: 1024 * 1024,
      maxPerPrincipal: 10,
      maxConnections: 5000,
    });
    expect(
      loadConfig({
        LIVE_HEARTBEAT_MS: '250',
        LIVE_BUFFER_EVENTS: '50',
        LIVE_BUFFER_BYTES: '65536',
        LIVE_MAX_PER_PRINCIPAL: '2',
        LIVE_MAX_CONNECTIONS: '100',
      }).live,
    ).toEqual({
      heartbeatMs: 250,
      bufferEvents: 50,
      bufferBytes: 65536,
      maxPerPrincipal: 2,
      maxConnections: 100,
    });
  });

  it.each([
    ['LIVE_HEARTBEAT_MS', '0'],
    ['LIVE_HEARTBEAT_MS', '15s'],
    ['LIVE_BUFFER_EVENTS', '0'],
    ['LIVE_BUFFER_BYTES', '100'],
    ['LIVE_MAX_PER_PRINCIPAL', '-1'],
    ['LIVE_MAX_CONNECTIONS', '1e9'],
  ])('refuses %s=%s, naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });
});
