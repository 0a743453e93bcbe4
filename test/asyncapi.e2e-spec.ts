import type { Server } from 'node:http';
import type { RunningApp } from '../src/app.factory.js';
import request from './support/http.js';
import { contracts } from './support/relay-log.js';
import { startTestApp } from './support/test-app.js';
import { forkTsChild } from './support/ts-child.js';

describe('GET /asyncapi.json without NATS_URL', () => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startTestApp();
  });
  afterAll(() => running?.close());

  it('is public, and describes every integration event though this instance relays none', async () => {
    const res = await request(running.app.getHttpServer())
      .get('/asyncapi.json')
      .unset('Authorization')
      .expect(200)
      .expect('Content-Type', /^application\/json/);
    const expected = contracts().contracts.flatMap((contract) =>
      contract.events.map((e) => `${contract.context}.v${contract.version}.${e.name}`),
    );
    expect(Object.keys(res.body.operations).sort()).toEqual(expected.sort());
    expect(res.body.servers.nats.description).toMatch(/NATS_URL unset/);
    expect(res.body['x-jetstream']).toEqual({
      stream: 'CHRONICLE',
      subjects: ['chronicle.>'],
      storage: 'file',
      retention: 'limits',
      duplicateWindowMs: 120_000,
    });
  });

  it('runs no relay: no integration-relay projection, and the nats client is never loaded', async () => {
    const status = await request(running.app.getHttpServer()).get('/admin/projections').expect(200);
    expect(status.body.projections.map((p: { name: string }) => p.name)).not.toContain(
      'integration-relay',
    );

    // The app (test config: no NATS) in a child process whose module loader refuses `nats`: it starts and serves.
    const child = forkTsChild('./app.child.ts', {}, ['./no-nats-register.mjs']);
    try {
      const port = await Promise.race([
        new Promise<number>((resolve) =>
          child.process.once('message', (m) => resolve((m as { port: number }).port)),
        ),
        child.exited.then(() =>
          Promise.reject(new Error(`the app did not start:\n${child.output()}`)),
        ),
      ]);
      const server = `http://127.0.0.1:${port}` as unknown as Server;
      await request(server).get('/asyncapi.json').unset('Authorization').expect(200);
    } finally {
      child.process.kill('SIGKILL');
    }
  });
});
