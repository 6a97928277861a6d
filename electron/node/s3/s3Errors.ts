import { SalvageError, type SalvageErrorKind } from '../../../shared/util/errors.ts';
import { getOwn } from '../../../shared/util/records.ts';

/** S3 error codes (and HTTP statuses) by what the user can do about them. */
const KIND_OF_CODE: Readonly<Record<string, SalvageErrorKind>> = {
  CredentialsProviderError: 'no-credentials',
  InvalidAccessKeyId: 'credentials-rejected',
  SignatureDoesNotMatch: 'credentials-rejected',
  ExpiredToken: 'credentials-rejected',
  InvalidToken: 'credentials-rejected',
  TokenRefreshRequired: 'credentials-rejected',
  AccessDenied: 'access-denied',
  AllAccessDisabled: 'access-denied',
  Forbidden: 'access-denied',
  NoSuchBucket: 'bucket-not-found',
  NoSuchKey: 'not-found',
  NotFound: 'not-found',
  PreconditionFailed: 'object-changed',
  SlowDown: 'throttled',
  Throttling: 'throttled',
  ThrottlingException: 'throttled',
  TooManyRequests: 'throttled',
  RequestLimitExceeded: 'throttled',
  ServiceUnavailable: 'throttled',
  TimeoutError: 'endpoint-unreachable',
  RequestTimeout: 'endpoint-unreachable',
  ECONNREFUSED: 'endpoint-unreachable',
  ECONNRESET: 'endpoint-unreachable',
  ENOTFOUND: 'endpoint-unreachable',
  EAI_AGAIN: 'endpoint-unreachable',
  ETIMEDOUT: 'endpoint-unreachable',
  EHOSTUNREACH: 'endpoint-unreachable',
  ENETUNREACH: 'endpoint-unreachable',
  EPIPE: 'endpoint-unreachable',
  ECONNABORTED: 'endpoint-unreachable',
  ERR_STREAM_PREMATURE_CLOSE: 'endpoint-unreachable',
};

/** Statuses of responses whose code is not one of the above (a HEAD has no body to name it). */
const KIND_OF_STATUS: Readonly<Record<number, SalvageErrorKind>> = {
  403: 'access-denied',
  404: 'not-found',
  412: 'object-changed',
  429: 'throttled',
  503: 'throttled',
};

const ADVICE: Partial<Record<SalvageErrorKind, string>> = {
  'no-credentials':
    'no AWS credentials were found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE for a profile in ~/.aws/config',
  'credentials-rejected':
    'the service refused the credentials (unknown access key, wrong secret or expired session token); check AWS_PROFILE or the AWS_* keys',
  'access-denied': 'access denied: the credentials may not do this here',
  'bucket-not-found': 'the bucket does not exist (check the name, the region and AWS_ENDPOINT_URL)',
  'not-found': 'it does not exist',
  'object-changed': 'the object was replaced while Salvage read it; read it again',
  throttled: 'the service kept asking to slow down after several retries; try again in a moment',
  'endpoint-unreachable':
    'the storage endpoint did not answer or the connection broke (check AWS_ENDPOINT_URL, the network, and that the server runs)',
};

/** The error's S3 code, network code or class name; and its HTTP status when it had a response. */
function codeOf(error: unknown): { code: string; status: number | undefined } {
  const value = error as {
    Code?: unknown;
    code?: unknown;
    name?: unknown;
    $metadata?: { httpStatusCode?: number };
    cause?: unknown;
  } | null;
  const status = value?.$metadata?.httpStatusCode;
  for (const candidate of [value?.Code, value?.code, value?.name]) {
    if (typeof candidate === 'string' && getOwn(KIND_OF_CODE, candidate))
      return { code: candidate, status };
  }
  const cause = value?.cause;
  if (cause && cause !== error) {
    const inner = codeOf(cause);
    if (getOwn(KIND_OF_CODE, inner.code))
      return { code: inner.code, status: status ?? inner.status };
  }
  const name = typeof value?.name === 'string' ? value.name : 'Error';
  return { code: name, status };
}

/**
 * An S3 failure as a typed error naming what was being done (`List s3://b/p`, `Read s3://b/k`).
 * A SalvageError passes through; an error that is not a failure of the service, the network or
 * the credentials (a bug) passes through unchanged.
 */
export function s3Error(error: unknown, action: string): unknown {
  if (error instanceof SalvageError) return error;
  const { code, status } = codeOf(error);
  const kind =
    getOwn(KIND_OF_CODE, code) ?? (status !== undefined ? (KIND_OF_STATUS[status] ?? 'io') : null);
  if (kind === null) return error;
  const reason =
    ADVICE[kind] ?? `the storage service answered ${code}${status ? ` (HTTP ${status})` : ''}`;
  return new SalvageError(kind, `${action}: ${reason}.`, { cause: error });
}

/** Run an S3 call, turning its failure into a typed error. */
export async function s3Call<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw s3Error(error, action);
  }
}
