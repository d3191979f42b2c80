import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';

type Listener = () => void;

/**
 * Transactions with after-commit callbacks, and the wake-up calls that let the outbox
 * dispatcher and the timer firer act right after a commit instead of at their next poll.
 */
@Injectable()
export class RuntimeSignals {
  private readonly pending = new WeakMap<EntityManager, Listener[]>();
  private readonly outboxListeners = new Set<Listener>();
  private readonly timerListeners = new Set<Listener>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** A transaction whose after-commit callbacks run once it has committed (never on rollback). */
  async transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const callbacks: Listener[] = [];
    const result = await this.dataSource.transaction((manager) => {
      this.pending.set(manager, callbacks);
      return work(manager);
    });
    for (const callback of callbacks) callback();
    return result;
  }

  afterCommit(manager: EntityManager, callback: Listener): void {
    const callbacks = this.pending.get(manager);
    // Outside transaction(): the caller owns the commit; run soon, the pollers cover any race.
    if (callbacks) callbacks.push(callback);
    else setImmediate(callback);
  }

  outboxChanged(manager: EntityManager): void {
    this.afterCommit(manager, () => this.outboxListeners.forEach((l) => l()));
  }

  timersChanged(manager: EntityManager): void {
    this.afterCommit(manager, () => this.timerListeners.forEach((l) => l()));
  }

  onOutbox(listener: Listener): () => void {
    this.outboxListeners.add(listener);
    return () => this.outboxListeners.delete(listener);
  }

  onTimers(listener: Listener): () => void {
    this.timerListeners.add(listener);
    return () => this.timerListeners.delete(listener);
  }
}
