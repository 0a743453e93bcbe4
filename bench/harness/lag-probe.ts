import { EventEmitter } from 'node:events';
import type { EventBus } from '@nestjs/cqrs';
import type { Subscription } from 'rxjs';
import { type Checkpoint, PersistedEvent } from '../../src/event-store/index.js';
import { type ProjectionRunner, reached } from '../../src/projections/index.js';

/**
 * Commit-to-visible lag of one projection, measured inside the app's process: the clock starts when the repository
 * publishes the stored events (right after the commit) and stops when the projection's checkpoint, moved in the
 * same transaction as its writes, has passed them. The runner has no public progress hook, so the probe listens to
 * its internal emitter (and polls localCheckpoint() every 5 ms if that ever goes away).
 */
export class LagProbe {
  readonly lagsMs: number[] = [];
  private pending: Array<{ checkpoint: Checkpoint; at: number }> = [];
  private readonly subscription: Subscription;
  private readonly progress?: EventEmitter;
  private readonly timer?: NodeJS.Timeout;

  constructor(
    private readonly runner: ProjectionRunner,
    eventBus: EventBus,
    private readonly projection = 'accounts',
  ) {
    this.subscription = eventBus.subscribe((event) => {
      if (event instanceof PersistedEvent)
        this.pending.push({ checkpoint: event.checkpoint, at: performance.now() });
    });
    const progress: unknown = Reflect.get(runner, 'progress');
    if (progress instanceof EventEmitter) {
      this.progress = progress;
      progress.on('progress', this.check);
    } else {
      this.timer = setInterval(this.check, 5);
    }
  }

  get unseen(): number {
    return this.pending.length;
  }

  stop(): void {
    // An event published after the progress that passed it (the publish follows the commit, the projection's
    // notice may come first) is checked here, once the run has drained: its lag is ~0, it was visible first.
    this.check();
    this.subscription.unsubscribe();
    this.progress?.off('progress', this.check);
    clearInterval(this.timer);
  }

  private readonly check = (): void => {
    const checkpoint = this.runner.localCheckpoint(this.projection);
    if (!checkpoint || this.pending.length === 0) return;
    const now = performance.now();
    this.pending = this.pending.filter((p) => {
      if (!reached(checkpoint, p.checkpoint)) return true;
      this.lagsMs.push(now - p.at);
      return false;
    });
  };
}
