import { UnknownEventTypeError } from './event-store.errors.js';

export interface EventTypeDefinition {
  readonly type: string;
  /** The schema version new events of this type are written with. */
  readonly schemaVersion: number;
}

/** Maps an event's explicit type string to how it is stored. Routing never uses class names. */
export class EventTypeRegistry {
  private readonly types = new Map<string, EventTypeDefinition>();

  register(...definitions: Array<{ type: string; schemaVersion?: number }>): void {
    for (const { type, schemaVersion = 1 } of definitions) {
      const existing = this.types.get(type);
      if (existing && existing.schemaVersion !== schemaVersion) {
        throw new Error(`Event type "${type}" is registered twice with different schema versions`);
      }
      this.types.set(type, { type, schemaVersion });
    }
  }

  definitionOf(type: string): EventTypeDefinition {
    const definition = this.types.get(type);
    if (!definition) throw new UnknownEventTypeError(type);
    return definition;
  }

  /** Checks that a stored event can be read; the upcaster chain hooks in here. */
  assertReadable(type: string, schemaVersion: number): void {
    const definition = this.definitionOf(type);
    if (schemaVersion !== definition.schemaVersion)
      throw new UnknownEventTypeError(type, schemaVersion);
  }
}
