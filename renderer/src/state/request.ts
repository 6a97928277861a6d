import { toBackendError, type BackendError } from '../api/transport.ts';

/**
 * One back-end request a slice makes, as state: nothing asked, asked (with the token of this
 * asking), answered, or failed. `target` says what was asked for (a path, a sample), so the view
 * never shows one target's answer under another's name.
 */
export type Request<T, Target = string> =
  | { readonly phase: 'idle' }
  | { readonly phase: 'pending'; readonly target: Target; readonly token: number }
  | { readonly phase: 'ready'; readonly target: Target; readonly value: T }
  | { readonly phase: 'failed'; readonly target: Target; readonly error: BackendError };

export const IDLE: Request<never, never> = { phase: 'idle' };

let lastToken = 0;

/**
 * Ask, and keep the answer only while this asking is still the current one: `read` gives the
 * request as the state holds it now, `write` stores a new one. A request superseded (asked again,
 * for the same or another target) or dropped (set back to idle) meanwhile never writes its
 * answer. Resolves to the answer when it was kept.
 */
export async function ask<T, Target>(
  read: () => Request<T, Target>,
  write: (request: Request<T, Target>) => void,
  target: Target,
  call: () => Promise<T>,
  /** Hears of an answer that came too late to be kept (to release what it holds). */
  dropped: (value: T) => void = () => {},
): Promise<T | undefined> {
  const token = ++lastToken;
  write({ phase: 'pending', target, token });
  const current = (): boolean => {
    const now = read();
    return now.phase === 'pending' && now.token === token;
  };
  try {
    const value = await call();
    if (!current()) {
      dropped(value);
      return undefined;
    }
    write({ phase: 'ready', target, value });
    return value;
  } catch (error) {
    if (current()) write({ phase: 'failed', target, error: toBackendError(error) });
    return undefined;
  }
}

/** The answer, when there is one. */
export function valueOf<T, Target>(request: Request<T, Target>): T | null {
  return request.phase === 'ready' ? request.value : null;
}

/** The failure, when there is one. */
export function errorOf<T, Target>(request: Request<T, Target>): BackendError | null {
  return request.phase === 'failed' ? request.error : null;
}
