// Live subscriptions' public surface: other modules import src/live only through this file.
export { LiveFeed } from './live-feed.js';
export type { LiveFilter } from './live-filter.js';
export { ApiLiveStream } from './live-responses.js';
export { LiveStartParams } from './live.params.js';
export { LiveModule } from './live.module.js';
