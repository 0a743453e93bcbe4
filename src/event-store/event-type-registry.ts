import { UnknownEventTypeError } from './event-store.errors.js';
import { PersistedEvent } from './persisted-event.js';
import { subjectOf, type PersonalDataDeclaration } from './personal-data.js';

type EventData = Record<string, unknown>;

/** Lifts an event's data by one schema version. Pure: returns a new object, never mutates its argument. */
export type Upcaster = (data: EventData) => EventData;

export interface EventTypeDefinition {
  readonly type: string;
  /** The schema version new events of this type are written with (1 when unset). */
  readonly schemaVersion?: number;
  /** `upcasters[v]` lifts data stored at version v to v + 1. */
  readonly upcasters?: Readonly<Record<number, Upcaster>>;
  /** Fields that are personal data of a subject: stored encrypted with its key, unreadable once it is erased. */
  readonly personal?: PersonalDataDeclaration;
}

interface RegisteredType {
  readonly type: string;
  readonly schemaVersion: number;
  readonly upcasters: Readonly<Record<number, Upcaster>>;
  readonly personal?: PersonalDataDeclaration;
}

/**
 * Maps an event's explicit type string to how it is stored, and lifts stored events to the current schema.
 * Routing never uses class names. New events are always written at the current version.
 */
export class EventTypeRegistry {
  private readonly types = new Map<string, RegisteredType>();

  register(...definitions: EventTypeDefinition[]): void {
    for (const { type, schemaVersion = 1, upcasters = {}, personal } of definitions) {
      if (!Number.isInteger(schemaVersion) || schemaVersion < 1 || schemaVersion > 32767)
        throw new Error(
          `Event type "${type}": schema version must be 1 to 32767, got ${schemaVersion}`,
        );
      for (const from of Object.keys(upcasters).map(Number)) {
        if (!Number.isInteger(from) || from < 1 || from >= schemaVersion)
          throw new Error(
            `Event type "${type}": an upcaster from version ${from} cannot lead to the current version ${schemaVersion}`,
          );
      }
      const existing = this.types.get(type);
      if (existing && existing.schemaVersion !== schemaVersion) {
        throw new Error(`Event type "${type}" is registered twice with different schema versions`);
      }
      if (personal && personal.fields.length === 0)
        throw new Error(`Event type "${type}": personal data declares no fields`);
      if (existing && Object.keys(upcasters).length === 0 && !personal) continue;
      this.types.set(type, {
        type,
        schemaVersion,
        upcasters: Object.keys(upcasters).length > 0 ? upcasters : (existing?.upcasters ?? {}),
        personal: personal ?? existing?.personal,
      });
    }
  }

  /** Every registered event type. */
  get eventTypes(): string[] {
    return [...this.types.keys()];
  }

  definitionOf(type: string): { readonly type: string; readonly schemaVersion: number } {
    const definition = this.types.get(type);
    if (!definition) throw new UnknownEventTypeError(type);
    return definition;
  }

  /** What of a type's data is personal, and whose; undefined for a type without personal data or not registered. */
  personalDataOf(type: string): PersonalDataDeclaration | undefined {
    return this.types.get(type)?.personal;
  }

  /** The subject whose personal data an event of this type carries, if any. */
  personalSubjectOf(type: string, data: EventData): string | undefined {
    const personal = this.types.get(type)?.personal;
    return personal ? subjectOf(personal, data) : undefined;
  }

  /**
   * The event at its type's current schema version: the same object when it is current already (the hot path
   * does no other work), else a new PersistedEvent with lifted data. Throws UnknownEventTypeError naming the type
   * and the stored version when the type is unknown or no upcaster chain reaches the current version.
   */
  upcast<T extends PersistedEvent>(event: T): T {
    const definition = this.types.get(event.type);
    if (definition?.schemaVersion === event.schemaVersion) return event;
    return new PersistedEvent({
      ...event,
      schemaVersion: definition?.schemaVersion ?? event.schemaVersion,
      data: this.lift(event.type, event.schemaVersion, event.data),
    }) as T;
  }

  /** `upcast` for what a fold reads: the data itself when current, else the lifted copy. */
  upcastData(type: string, schemaVersion: number, data: EventData): EventData {
    const definition = this.types.get(type);
    if (definition?.schemaVersion === schemaVersion) return data;
    return this.lift(type, schemaVersion, data);
  }

  private lift(type: string, from: number, data: EventData): EventData {
    const definition = this.types.get(type);
    if (!definition) throw new UnknownEventTypeError(type, from);
    const { schemaVersion, upcasters } = definition;
    if (!Number.isInteger(from) || from < 1 || from > schemaVersion)
      throw new UnknownEventTypeError(type, from, schemaVersion);
    let lifted = data;
    for (let version = from; version < schemaVersion; version++) {
      const upcaster = upcasters[version];
      if (!upcaster) throw new UnknownEventTypeError(type, from, schemaVersion);
      lifted = upcaster(lifted);
    }
    return lifted;
  }
}
