/**
 * Browser half of the intake API (routes in functions/core/api.ts). The API's base URL comes from
 * `/config.json`, read once: `{"apiBaseUrl": ""}` means the same origin (the embedded runtime);
 * the AWS deployment writes the API Gateway URL there.
 *
 * Only types are imported from the core here, so this module does not pull zod into a page.
 */
import type {
  CreateApplicationResponse,
  ErrorResponse,
  RequestUploadResponse,
  StatusResponse,
  UploadGrantBody,
} from '../../functions/core/api';

export type { CreateApplicationResponse, ErrorResponse, RequestUploadResponse, StatusResponse };
export type UploadGrant = UploadGrantBody;
export type Slot = 'photo' | 'idCard';

export interface Config {
  readonly apiBaseUrl: string;
}

let config: Promise<Config> | undefined;

export function loadConfig(): Promise<Config> {
  config ??= fetch('/config.json', { cache: 'no-cache', credentials: 'omit' })
    .then((r) => (r.ok ? (r.json() as Promise<unknown>) : {}))
    .catch(() => ({}))
    .then((raw) => {
      const base = raw && typeof raw === 'object' && 'apiBaseUrl' in raw ? raw.apiBaseUrl : '';
      return { apiBaseUrl: typeof base === 'string' ? base.replace(/\/+$/, '') : '' };
    });
  return config;
}

/** Outcome of one API call: a parsed body on 2xx, the error body (when JSON) otherwise, status 0 on a network failure. */
export type ApiResult<T> =
  | { readonly ok: true; readonly status: number; readonly body: T }
  | { readonly ok: false; readonly status: number; readonly error: ErrorResponse | null };

async function call<T>(
  method: 'GET' | 'POST',
  path: string,
  opts: { body?: unknown; token?: string } = {},
): Promise<ApiResult<T>> {
  const { apiBaseUrl } = await loadConfig();
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  let res: Response;
  try {
    res = await fetch(`${apiBaseUrl}${path}`, {
      method,
      headers,
      body: opts.body === undefined ? null : JSON.stringify(opts.body),
      cache: 'no-store',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    });
  } catch {
    return { ok: false, status: 0, error: null };
  }
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  if (res.ok) {
    if (body === null) return { ok: false, status: 0, error: null };
    return { ok: true, status: res.status, body: body as T };
  }
  return { ok: false, status: res.status, error: isErrorResponse(body) ? body : null };
}

function isErrorResponse(v: unknown): v is ErrorResponse {
  return !!v && typeof v === 'object' && typeof (v as { error?: unknown }).error === 'string';
}

export function createApplication(application: unknown): Promise<ApiResult<CreateApplicationResponse>> {
  return call('POST', '/api/applications', { body: application });
}

export function getStatus(applicationId: string, token: string): Promise<ApiResult<StatusResponse>> {
  return call('GET', `/api/applications/${encodeURIComponent(applicationId)}`, { token });
}

export function requestUpload(applicationId: string, token: string, slot: Slot): Promise<ApiResult<RequestUploadResponse>> {
  return call('POST', `/api/applications/${encodeURIComponent(applicationId)}/uploads`, { body: { slot }, token });
}

/** Where an upload grant's URL points: absolute as given, or relative to the API base. */
export async function resolveUploadUrl(url: string): Promise<string> {
  const { apiBaseUrl } = await loadConfig();
  return new URL(url, apiBaseUrl ? `${apiBaseUrl}/` : location.href).href;
}

/** Same patterns as `applicationIdSchema` and `statusTokenSchema` in functions/core/api.ts. */
export const APPLICATION_ID_PATTERN = /^P[0-9A-HJKMNP-TV-Z]{12}$/;
export const STATUS_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** The status page link that carries the id and token in the fragment (never sent to a server). */
export function statusFragment(applicationId: string, token: string): string {
  return `#id=${encodeURIComponent(applicationId)}&token=${encodeURIComponent(token)}`;
}
