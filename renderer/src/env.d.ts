/** The preload bridge (desktop transport); absent in web mode. */
interface SalvageBridge {
  invoke(channel: string, args: unknown): Promise<unknown>;
  on(channel: string, listener: (payload: unknown) => void): () => void;
}

interface Window {
  salvage?: SalvageBridge;
}
