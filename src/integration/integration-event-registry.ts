import { Injectable } from '@nestjs/common';
import {
  type IntegrationContract,
  type IntegrationEventMapping,
  publicNameOf,
} from './integration-event.js';

export interface RegisteredMapping {
  readonly contract: IntegrationContract;
  readonly mapping: IntegrationEventMapping;
}

const TOKEN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The public contracts each context declares (in its module's onModuleInit), keyed by internal event type: what
 * the relay publishes and /asyncapi.json describes. An event type no context maps never leaves.
 */
@Injectable()
export class IntegrationEventRegistry {
  private readonly byType = new Map<string, RegisteredMapping>();
  private readonly registered: IntegrationContract[] = [];

  register(...contracts: IntegrationContract[]): void {
    for (const contract of contracts) {
      if (
        !TOKEN.test(contract.context) ||
        !Number.isInteger(contract.version) ||
        contract.version < 1
      )
        throw new Error(
          `Integration contract "${contract.context}" v${contract.version}: a context token and a version >= 1`,
        );
      const names = new Set<string>();
      for (const mapping of contract.events) {
        const name = publicNameOf(contract, mapping);
        if (!TOKEN.test(mapping.name) || names.has(mapping.name))
          throw new Error(`Integration event ${name}: a subject token, once per contract`);
        if (this.byType.has(mapping.type))
          throw new Error(`Event type ${mapping.type} is mapped to two integration events`);
        names.add(mapping.name);
      }
      for (const mapping of contract.events) this.byType.set(mapping.type, { contract, mapping });
      this.registered.push(contract);
    }
  }

  mappingOf(type: string): RegisteredMapping | undefined {
    return this.byType.get(type);
  }

  /** The internal event types that leave the service. */
  get eventTypes(): string[] {
    return [...this.byType.keys()];
  }

  get contracts(): readonly IntegrationContract[] {
    return this.registered;
  }
}
