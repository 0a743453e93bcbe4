import { Module } from '@nestjs/common';
import { WebConsoleController } from './web-console.controller.js';

/** The web console's one API route (its settings); the console's files are served by serveConsole. */
@Module({ controllers: [WebConsoleController] })
export class WebConsoleModule {}
