// The event browser's public surface: the module (streams, a stream's events, correlated events).
export { EventBrowserModule } from './event-browser.module.js';
