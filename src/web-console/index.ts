export { consoleDirectory, serveConsole } from './console-static.js';
export { WebConsoleModule } from './web-console.module.js';
