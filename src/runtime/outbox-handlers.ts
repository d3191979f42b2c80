import { Injectable } from '@nestjs/common';
import type { OutboxHandler } from './outbox';

/** Handlers by outbox kind. Providers register theirs at module init. */
@Injectable()
export class OutboxHandlers {
  private readonly handlers = new Map<string, OutboxHandler>();

  register(kind: string, handler: OutboxHandler): void {
    if (this.handlers.has(kind)) throw new Error(`outbox kind "${kind}" has two handlers`);
    this.handlers.set(kind, handler);
  }

  get(kind: string): OutboxHandler | undefined {
    return this.handlers.get(kind);
  }

  kinds(): string[] {
    return [...this.handlers.keys()];
  }
}
