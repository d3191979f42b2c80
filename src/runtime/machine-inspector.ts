import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { sanitizeForLog } from '../common/logging/redact';
import { AppConfig } from '../config/app-config';
import type { PersistedMachineSnapshot } from './machine-definition';

interface InspectorLike {
  actor(actor: string, snapshot?: unknown, info?: { definition?: string; parentId?: string }): void;
  snapshot(actor: string, snapshot: unknown, info?: { event?: unknown }): void;
  event(actor: string, event: unknown, info?: { source?: string }): void;
  stop(): void;
}

/**
 * Reports persisted machines to a Stately inspector (INSPECT_URL) over WebSocket. Each
 * machine instance appears as an actor `<kind>:<id>`. Context is sanitised like a log line:
 * phone numbers masked, message texts and tokens removed.
 */
@Injectable()
export class MachineInspector implements OnModuleDestroy {
  private readonly logger = new Logger(MachineInspector.name);
  private inspector?: Promise<InspectorLike | undefined>;
  private readonly seen = new Set<string>();

  constructor(private readonly config: AppConfig) {}

  get enabled(): boolean {
    return Boolean(this.config.inspectUrl);
  }

  reportStart(kind: string, entityId: string, snapshot: PersistedMachineSnapshot): void {
    void this.with((inspector) => {
      const id = `${kind}:${entityId}`;
      this.seen.add(id);
      inspector.actor(id, this.inspected(snapshot));
    });
  }

  reportTransition(
    kind: string,
    entityId: string,
    event: { type: string },
    snapshot: PersistedMachineSnapshot,
  ): void {
    void this.with((inspector) => {
      const id = `${kind}:${entityId}`;
      if (!this.seen.has(id)) {
        this.seen.add(id);
        inspector.actor(id, this.inspected(snapshot));
      }
      const safeEvent = sanitizeForLog(event);
      inspector.event(id, safeEvent);
      inspector.snapshot(id, this.inspected(snapshot), { event: safeEvent });
    });
  }

  onModuleDestroy(): void {
    void this.inspector?.then((i) => i?.stop());
  }

  private inspected(snapshot: PersistedMachineSnapshot): unknown {
    return {
      status: snapshot.status,
      value: snapshot.value,
      context: sanitizeForLog(snapshot.context),
    };
  }

  private async with(use: (inspector: InspectorLike) => void): Promise<void> {
    if (!this.config.inspectUrl) return;
    this.inspector ??= this.connect(this.config.inspectUrl);
    const inspector = await this.inspector;
    if (!inspector) return;
    try {
      use(inspector);
    } catch (error) {
      this.logger.warn(
        `inspector report failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  private async connect(url: string): Promise<InspectorLike | undefined> {
    try {
      // Loaded only when INSPECT_URL is set (an ESM package: Node 20.19+ can require it).
      const specifier: string = '@statelyai/inspect';
      const inspect = (await import(specifier)) as {
        createWebSocketInspector(options: { url: string }): InspectorLike;
      };
      // It connects by itself (autoStart) and queues events until the socket is open; calling
      // start() again would open a second socket and crash on the first one's open event.
      const inspector = inspect.createWebSocketInspector({ url });
      this.logger.log(`reporting machine transitions to the inspector at ${url}`);
      return inspector;
    } catch (error) {
      this.logger.warn(
        `inspector unavailable: ${error instanceof Error ? error.message : String(error)}`,
      );
      return undefined;
    }
  }
}
