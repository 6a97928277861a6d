import type {
  EventChannel,
  EventMap,
  InvokeArgs,
  InvokeChannel,
  InvokeResult,
  RunsBatch,
  SampleBatch,
} from '../../../shared/ipc/contract.ts';
import { BackendError, type Bridge } from './transport.ts';

/**
 * The back end as the state sees it: every call of the contract, typed from it, resolving to its
 * value or rejecting with a BackendError; events; and the sample stream. Only the state layer
 * uses it (lint keeps features and components out of `api/`).
 */
export interface Client {
  readonly desktop: boolean;
  call<C extends InvokeChannel>(channel: C, args: InvokeArgs<C>): Promise<InvokeResult<C>>;
  subscribe<C extends EventChannel>(
    channel: C,
    listener: (payload: EventMap[C]) => void,
  ): () => void;
  eventsReady(): Promise<void>;
  /**
   * Stream a run's sample summaries: `onBatch` gets each batch of this stream until one is done.
   * Resolves, once the back end has started the stream, to the function that stops it.
   */
  streamSamples(path: string, onBatch: (batch: SampleBatch) => void): Promise<() => void>;
  /** Stream an opened folder's runs, batch by batch, the same way. */
  streamRuns(folder: string, onBatch: (batch: RunsBatch) => void): Promise<() => void>;
}

/** The channels of one kind of stream: what starts it, what carries its batches, what stops it. */
interface StreamChannels<C extends InvokeChannel, E extends EventChannel> {
  readonly start: C;
  readonly batch: E;
  readonly cancel: 'salvage:samples:cancel' | 'salvage:runs:cancel';
}

export function createClient(bridge: Bridge): Client {
  const call = async <C extends InvokeChannel>(
    channel: C,
    args: InvokeArgs<C>,
  ): Promise<InvokeResult<C>> => {
    const outcome = await bridge.invoke(channel, args);
    if (!outcome.ok) throw new BackendError(outcome.kind, outcome.message);
    return outcome.value as InvokeResult<C>;
  };
  const subscribe = <C extends EventChannel>(
    channel: C,
    listener: (payload: EventMap[C]) => void,
  ): (() => void) => bridge.on(channel, (payload) => listener(payload as EventMap[C]));

  /** Start a stream and hand its batches (matched by stream id) to `onBatch` until one is done. */
  const openStream = async <
    C extends 'salvage:samples:stream' | 'salvage:runs:stream',
    E extends 'salvage:samples:batch' | 'salvage:runs:batch',
  >(
    channels: StreamChannels<C, E>,
    args: InvokeArgs<C>,
    onBatch: (batch: EventMap[E]) => void,
  ): Promise<() => void> => {
    await bridge.eventsReady();
    // Batches can arrive before the call that starts the stream returns its id: keep them.
    let streamId: string | null = null;
    const early: Array<EventMap[E]> = [];
    const deliver = (batch: EventMap[E]): void => {
      onBatch(batch);
      if (batch.done) unsubscribe();
    };
    const unsubscribe = subscribe(channels.batch, (batch) => {
      if (streamId === null) early.push(batch);
      else if (batch.streamId === streamId) deliver(batch);
    });
    try {
      streamId = ((await call(channels.start, args)) as { streamId: string }).streamId;
    } catch (error) {
      unsubscribe();
      throw error;
    }
    for (const batch of early.splice(0)) if (batch.streamId === streamId) deliver(batch);
    const id = streamId;
    return () => {
      unsubscribe();
      void call(channels.cancel, { streamId: id }).catch(() => undefined);
    };
  };

  return {
    desktop: bridge.desktop,
    call,
    subscribe,
    eventsReady: () => bridge.eventsReady(),
    streamSamples: (path, onBatch) =>
      openStream(
        {
          start: 'salvage:samples:stream',
          batch: 'salvage:samples:batch',
          cancel: 'salvage:samples:cancel',
        },
        { path },
        onBatch,
      ),
    streamRuns: (folder, onBatch) =>
      openStream(
        {
          start: 'salvage:runs:stream',
          batch: 'salvage:runs:batch',
          cancel: 'salvage:runs:cancel',
        },
        { folder },
        onBatch,
      ),
  };
}
