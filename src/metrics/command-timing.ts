import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { CommandBus, type ICommand } from '@nestjs/cqrs';
import { isRejected } from '../shared/command-outcome.js';
import { DomainError } from '../shared/domain-error.js';
import { Metrics } from './metrics.service.js';

type Execute = (command: ICommand, ...rest: unknown[]) => Promise<unknown>;

/** The class name is bounded by the set of commands, so it is safe as a label value. */
function commandName(command: ICommand): string {
  return (Object.getPrototypeOf(command) as object | null)?.constructor?.name || 'unknown';
}

/**
 * Times every command by wrapping this application's CommandBus instance once: @nestjs/cqrs 12 has no
 * interceptor for the bus, and its command publisher only sees a command start, never its outcome.
 */
@Injectable()
export class CommandTiming implements OnModuleInit, OnModuleDestroy {
  private wrapped?: Execute;

  constructor(
    private readonly bus: CommandBus,
    private readonly metrics: Metrics,
  ) {}

  onModuleInit(): void {
    const execute = this.bus.execute.bind(this.bus) as Execute;
    const histogram = this.metrics.commandDuration;
    this.wrapped = async (command, ...rest) => {
      const end = histogram.startTimer({ command: commandName(command) });
      try {
        const result = await execute(command, ...rest);
        end({ outcome: isRejected(result) ? 'rejected' : 'ok' });
        return result;
      } catch (error) {
        end({ outcome: error instanceof DomainError ? 'rejected' : 'error' });
        throw error;
      }
    };
    this.bus.execute = this.wrapped as CommandBus['execute'];
  }

  onModuleDestroy(): void {
    // Deleting the own property brings the prototype's execute back.
    if (this.bus.execute === this.wrapped) delete (this.bus as Partial<CommandBus>).execute;
  }
}
