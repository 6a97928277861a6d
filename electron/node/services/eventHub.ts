import type { EventChannel, EventMap } from '../../../shared/ipc/contract.ts';

export type EventListener = <C extends EventChannel>(channel: C, payload: EventMap[C]) => void;

/** Fans back-end events out to whichever transports are attached (IPC window, SSE clients). */
export class EventHub {
  private readonly listeners = new Set<EventListener>();

  emit<C extends EventChannel>(channel: C, payload: EventMap[C]): void {
    for (const listener of this.listeners) listener(channel, payload);
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
