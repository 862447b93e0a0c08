/**
 * A small HTTP client of the intake API and the upload endpoint, as the form uses them. Shared by
 * the demo, the benchmark and the pipeline tests, so they all drive the system the same way.
 */
import type {
  CreateApplicationResponse,
  ErrorResponse,
  RequestUploadResponse,
  StatusResponse,
  UploadGrantBody,
} from '../../functions/core/api';

export type ApiReply<T> = { status: number; ok: true; body: T } | { status: number; ok: false; body: ErrorResponse };

async function call<T>(url: string, init: RequestInit): Promise<ApiReply<T>> {
  const res = await fetch(url, init);
  const text = await res.text();
  const body = text ? JSON.parse(text) : {};
  return res.ok
    ? { status: res.status, ok: true, body: body as T }
    : { status: res.status, ok: false, body: body as ErrorResponse };
}

export function createIntakeClient(baseUrl: string) {
  return {
    createApplication(application: unknown) {
      return call<CreateApplicationResponse>(`${baseUrl}/api/applications`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(application),
      });
    },
    status(applicationId: string, token: string) {
      return call<StatusResponse>(`${baseUrl}/api/applications/${encodeURIComponent(applicationId)}`, {
        headers: { authorization: `Bearer ${token}` },
      });
    },
    requestUpload(applicationId: string, token: string, slot: 'photo' | 'idCard') {
      return call<RequestUploadResponse>(`${baseUrl}/api/applications/${encodeURIComponent(applicationId)}/uploads`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ slot }),
      });
    },
    /** Presigned-POST upload: every grant field first, then Content-Type, then the file last. */
    async upload(
      grant: UploadGrantBody,
      bytes: Uint8Array,
      contentType: string,
      fileName = 'upload.jpg',
    ): Promise<{ status: number; body: string }> {
      const form = new FormData();
      for (const [k, v] of Object.entries(grant.fields)) form.append(k, v);
      form.append('Content-Type', contentType);
      form.append('file', new Blob([new Uint8Array(bytes)], { type: contentType }), fileName);
      const res = await fetch(grant.url, { method: 'POST', body: form });
      return { status: res.status, body: await res.text() };
    },
    /** Polls the status until `done` says so or the time runs out; returns the last status seen. */
    async waitFor(
      applicationId: string,
      token: string,
      done: (s: StatusResponse) => boolean,
      timeoutMs = 30_000,
      everyMs = 100,
    ): Promise<StatusResponse> {
      const until = Date.now() + timeoutMs;
      let last: StatusResponse | null = null;
      while (Date.now() < until) {
        const reply = await call<StatusResponse>(`${baseUrl}/api/applications/${encodeURIComponent(applicationId)}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        if (reply.ok) {
          last = reply.body;
          if (done(last)) return last;
        }
        await new Promise((r) => setTimeout(r, everyMs));
      }
      throw new Error(`timed out waiting; last status ${last?.status ?? 'none'}`);
    },
  };
}

export type IntakeClient = ReturnType<typeof createIntakeClient>;
