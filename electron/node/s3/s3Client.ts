import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { getProfileName, loadSharedConfigFiles } from '@smithy/core/config';

/**
 * The S3 client, configured the way users already configure the AWS CLI and SDKs.
 *
 * - Credentials: the SDK's default chain (`AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` /
 *   `AWS_SESSION_TOKEN`, then the shared credentials and config files with `AWS_PROFILE`, SSO,
 *   web identity, a credential process, container and instance roles).
 * - Region: `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region`, else `us-east-1`;
 *   requests to a bucket in another region follow the service's redirect.
 * - Endpoint: `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL`, or the profile's `endpoint_url` (MinIO,
 *   R2, Ceph, a local server). A custom endpoint gets path-style addressing (`host/bucket/key`:
 *   such servers rarely resolve `bucket.host`) and checksums only where the API requires them
 *   (the SDK's newer defaults are not implemented by every S3-compatible server), unless
 *   `AWS_REQUEST_CHECKSUM_CALCULATION` / `AWS_RESPONSE_CHECKSUM_VALIDATION` say otherwise.
 *
 * The SDK reads the endpoint variables itself but would address custom endpoints
 * virtual-host style; reading them here is what makes path style possible.
 */
export interface S3Access {
  readonly client: S3Client;
  /** The custom endpoint, or null for AWS. */
  readonly endpoint: string | null;
  /** HTTP requests sent (retries included), per operation: how tests and benchmarks count cost. */
  readonly requests: RequestCounts;
}

/** Requests sent per S3 operation (`ListObjectsV2`, `GetObject`, `HeadObject`, `PutObject`…). */
export class RequestCounts {
  readonly byOperation = new Map<string, number>();

  add(operation: string): void {
    this.byOperation.set(operation, (this.byOperation.get(operation) ?? 0) + 1);
  }

  of(operation: string): number {
    return this.byOperation.get(operation) ?? 0;
  }

  get total(): number {
    let total = 0;
    for (const count of this.byOperation.values()) total += count;
    return total;
  }

  reset(): void {
    this.byOperation.clear();
  }
}

/** The variables that decide the client: a change to any of them makes a new one. */
const SETTINGS = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_S3',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_MAX_ATTEMPTS',
] as const;

/** Attempts per request when AWS_MAX_ATTEMPTS is not set: throttling backs off between them. */
const MAX_ATTEMPTS = 5;
/** Connecting may take this long before the endpoint counts as unreachable. */
const CONNECTION_TIMEOUT_MS = 5_000;
/** A response that stays silent this long is given up (and retried). */
const REQUEST_TIMEOUT_MS = 60_000;

let current: { readonly key: string; readonly access: Promise<S3Access> } | null = null;

/**
 * The process's S3 access, made on first use from the environment and made again when the
 * environment changes (a test, or a user's `AWS_PROFILE` set by the app's host).
 */
export function s3Access(): Promise<S3Access> {
  const key = JSON.stringify(SETTINGS.map((name) => process.env[name] ?? null));
  if (current?.key !== key) {
    const previous = current;
    current = { key, access: createAccess() };
    void previous?.access.then((access) => access.client.destroy()).catch(() => undefined);
  }
  return current.access;
}

async function createAccess(): Promise<S3Access> {
  const profile = await profileSettings();
  const endpoint =
    process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL || profile.endpoint || null;
  const region =
    process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || profile.region || 'us-east-1';
  const attempts = Number(process.env.AWS_MAX_ATTEMPTS);
  const config: S3ClientConfig = {
    region,
    credentials: fromNodeProviderChain(),
    followRegionRedirects: true,
    maxAttempts: Number.isInteger(attempts) && attempts > 0 ? attempts : MAX_ATTEMPTS,
    requestHandler: {
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
    },
  };
  if (endpoint) {
    config.endpoint = endpoint;
    config.forcePathStyle = true;
    if (!process.env.AWS_REQUEST_CHECKSUM_CALCULATION)
      config.requestChecksumCalculation = 'WHEN_REQUIRED';
    if (!process.env.AWS_RESPONSE_CHECKSUM_VALIDATION)
      config.responseChecksumValidation = 'WHEN_REQUIRED';
  }
  const client = new S3Client(config);
  const requests = new RequestCounts();
  // Inside the retry loop: one count per HTTP request actually sent.
  client.middlewareStack.add(
    (next, context) => (args) => {
      requests.add(String(context.commandName ?? 'unknown').replace(/Command$/, ''));
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'salvageRequestCounter' },
  );
  return { client, endpoint, requests };
}

/** The profile's `region` and `endpoint_url` from the shared config file, when it has them. */
async function profileSettings(): Promise<{ region?: string; endpoint?: string }> {
  try {
    const { configFile } = await loadSharedConfigFiles();
    const section = configFile[getProfileName({})] ?? {};
    return { region: section.region, endpoint: section.endpoint_url };
  } catch {
    // An unreadable config file configures nothing; the credential chain reports its own errors.
    return {};
  }
}
