import request from './support/http.js';
import type { RunningApp } from '../src/app.factory.js';
import { startTestApp } from './support/test-app.js';

describe('smoke', () => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await startTestApp();
  });
  afterAll(() => running.close());

  it('is healthy', async () => {
    await request(running.app.getHttpServer())
      .get('/health')
      .expect(200, { status: 'ok', database: 'up' });
  });
});
