/**
 * The embedded runtime's HTTP front: the built form as static files, the intake API (the same
 * Lambda handlers, given API Gateway HTTP API v2 events), the presigned-POST stand-in, the
 * OpenAPI document, and the read-only counter pages.
 */
import { readFile, stat } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { Inbox } from '../onprem/inbox';
import { localLambdaContext } from '../shared/lambda-context';
import { renderInboxEntry, renderInboxList } from './onprem-pages';
import { receiveUpload, type UploadReceiverOptions } from './upload-receiver';

export type ApiHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

export interface HttpServerOptions {
  readonly webDir: string;
  readonly api: { createApplication: ApiHandler; getStatus: ApiHandler; requestUpload: ApiHandler };
  readonly uploads: UploadReceiverOptions;
  readonly inbox: Inbox;
  readonly openApi: () => unknown;
  readonly health: () => unknown;
  readonly onError: (err: unknown) => void;
}

const MAX_API_BODY = 64 * 1024;

const STATIC_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json; charset=utf-8',
};

const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

const APP_ID = '(P[0-9A-HJKMNP-TV-Z]{12})';
const STATUS_PATH = /^\/api\/applications\/([^/]+)$/;
const UPLOADS_PATH = /^\/api\/applications\/([^/]+)\/uploads$/;
const ONPREM_ENTRY = new RegExp(`^/onprem/${APP_ID}$`);
const ONPREM_IMAGE = new RegExp(`^/onprem/${APP_ID}/(photo|id-card)\\.jpg$`);

function send(res: ServerResponse, status: number, body: string | Buffer, headers: Record<string, string>): void {
  res.writeHead(status, headers);
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, JSON.stringify(value), {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function apiEvent(
  req: IncomingMessage,
  url: URL,
  body: Buffer,
  pathParameters: Record<string, string>,
  routeKey: string,
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
  const now = Date.now();
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    pathParameters,
    isBase64Encoded: false,
    ...(body.length > 0 ? { body: body.toString('utf8') } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: url.host,
      domainPrefix: 'local',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: req.socket.remoteAddress ?? '',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: `${now}`,
      routeKey,
      stage: '$default',
      time: new Date(now).toISOString(),
      timeEpoch: now,
    },
  };
}

async function invokeApi(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  handler: ApiHandler,
  params: Record<string, string>,
  routeKey: string,
) {
  const body = await readBody(req, MAX_API_BODY);
  if (body === null) {
    sendJson(res, 413, { error: 'too-large', message: 'The request body is too large.' });
    return;
  }
  const result = await handler(apiEvent(req, url, body, params, routeKey), localLambdaContext(routeKey));
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(result.headers ?? {})) headers[k] = String(v);
  send(res, result.statusCode ?? 200, result.body ?? '', headers);
}

async function serveStatic(res: ServerResponse, webDir: string, pathname: string): Promise<boolean> {
  const rel = pathname === '/' ? 'index.html' : pathname.slice(1);
  if (rel.includes('..') || rel.includes('\0')) return false;
  const file = path.join(webDir, rel);
  if (!file.startsWith(webDir + path.sep)) return false;
  try {
    if (!(await stat(file)).isFile()) return false;
    const type = STATIC_TYPES[path.extname(file)] ?? 'application/octet-stream';
    send(res, 200, await readFile(file), { 'content-type': type, 'cache-control': 'no-cache', ...PAGE_HEADERS });
    return true;
  } catch {
    return false;
  }
}

export function createHttpServer(options: HttpServerOptions): http.Server {
  const webDir = path.resolve(options.webDir);

  type Route = {
    readonly pattern: RegExp;
    readonly methods: readonly string[];
    readonly handle: (req: IncomingMessage, res: ServerResponse, url: URL, m: RegExpExecArray) => Promise<void> | void;
  };
  /** The path parameter as API Gateway passes it: decoded, or left as sent when it is not valid percent-encoding (the handler then answers 400). */
  const param = (m: RegExpExecArray) => {
    const raw = m[1] as string;
    try {
      return { applicationId: decodeURIComponent(raw) };
    } catch {
      return { applicationId: raw };
    }
  };
  const html = (res: ServerResponse, body: string) =>
    send(res, 200, body, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...PAGE_HEADERS });
  const routes: readonly Route[] = [
    {
      pattern: /^\/api\/applications$/,
      methods: ['POST'],
      handle: (req, res, url) => invokeApi(req, res, url, options.api.createApplication, {}, 'POST /api/applications'),
    },
    {
      pattern: UPLOADS_PATH,
      methods: ['POST'],
      handle: (req, res, url, m) =>
        invokeApi(req, res, url, options.api.requestUpload, param(m), 'POST /api/applications/{applicationId}/uploads'),
    },
    {
      pattern: STATUS_PATH,
      methods: ['GET'],
      handle: (req, res, url, m) =>
        invokeApi(req, res, url, options.api.getStatus, param(m), 'GET /api/applications/{applicationId}'),
    },
    {
      pattern: /^\/api\//,
      methods: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'],
      handle: (_q, res) => sendJson(res, 404, { error: 'not-found', message: 'No such route.' }),
    },
    { pattern: /^\/uploads$/, methods: ['POST'], handle: (req, res) => receiveUpload(req, res, options.uploads) },
    { pattern: /^\/openapi\.json$/, methods: ['GET'], handle: (_q, res) => sendJson(res, 200, options.openApi()) },
    { pattern: /^\/healthz$/, methods: ['GET'], handle: (_q, res) => sendJson(res, 200, options.health()) },
    {
      pattern: /^\/onprem$/,
      methods: ['GET'],
      handle: async (_q, res, url) => {
        const q = url.searchParams.get('applicationId')?.trim().toUpperCase() ?? '';
        const all = await options.inbox.list();
        html(res, renderInboxList(q ? all.filter((e) => e.applicationId === q) : all, q));
      },
    },
    {
      pattern: ONPREM_ENTRY,
      methods: ['GET'],
      handle: async (_q, res, _u, m) => {
        const entry = await options.inbox.get(m[1] as string);
        if (entry) html(res, renderInboxEntry(entry));
        else send(res, 404, 'not found', { 'content-type': 'text/plain' });
      },
    },
    {
      pattern: ONPREM_IMAGE,
      methods: ['GET'],
      handle: async (_q, res, _u, m) => {
        const img = await options.inbox.image(m[1] as string, m[2] === 'photo' ? 'photo' : 'idCard');
        if (img) send(res, 200, img, { 'content-type': 'image/jpeg', 'cache-control': 'no-store', ...PAGE_HEADERS });
        else send(res, 404, 'not found', { 'content-type': 'text/plain' });
      },
    },
  ];

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    for (const r of routes) {
      const m = r.pattern.exec(url.pathname);
      if (!m) continue;
      if (!r.methods.includes(method))
        return sendJson(res, 405, { error: 'method-not-allowed', message: `Use ${r.methods[0]}.` });
      return r.handle(req, res, url, m);
    }
    if ((method === 'GET' || method === 'HEAD') && (await serveStatic(res, webDir, url.pathname))) return;
    sendJson(res, 404, { error: 'not-found', message: 'Not found.' });
  }

  return http.createServer((req, res) => {
    route(req, res).catch((err) => {
      options.onError(err);
      if (!res.headersSent) sendJson(res, 500, { error: 'internal', message: 'Something went wrong on our side.' });
      else res.destroy();
    });
  });
}
