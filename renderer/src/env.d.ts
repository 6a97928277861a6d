/** The preload bridge (desktop transport); absent in web mode. */
interface SalvageBridge {
  invoke(channel: string, args: unknown): Promise<unknown>;
}

interface Window {
  salvage?: SalvageBridge;
}
