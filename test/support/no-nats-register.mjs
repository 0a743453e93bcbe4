// node --import ./test/support/no-nats-register.mjs: see no-nats-hooks.mjs.
import { register } from 'node:module';

register('./no-nats-hooks.mjs', import.meta.url);
