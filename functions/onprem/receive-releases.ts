/**
 * Use case (on premises): pull released records from the release queue and file them.
 *
 * Each message's envelope, signature and payload schema are verified before anything is filed;
 * the message is deleted only after the record is durably in the inbox. A message that does not
 * verify is not deleted: it is made visible again at once and, after the queue's maximum receive
 * count, SQS (or the embedded queue) moves it to the dead-letter queue. Nothing is lost.
 */
import type { Queue, SignatureVerifier } from '../core/ports';
import { type ReleasePayload, releaseEnvelopeSchema, releasePayloadSchema } from '../core/release-message';
import type { Inbox } from './inbox';

export interface ReceiveReleasesDeps {
  readonly queue: Queue;
  readonly verifier: SignatureVerifier;
  readonly inbox: Inbox;
}

export interface ReceiveSummary {
  received: number;
  filed: number;
  duplicates: number;
  refused: number;
  refusals: { messageId: string; reason: RefusalReason }[];
}

export type RefusalReason = 'envelope-invalid' | 'signature-invalid' | 'payload-invalid';

export async function receiveReleases(deps: ReceiveReleasesDeps, waitSeconds: number): Promise<ReceiveSummary> {
  const summary: ReceiveSummary = { received: 0, filed: 0, duplicates: 0, refused: 0, refusals: [] };
  const messages = await deps.queue.receive({ maxMessages: 10, waitSeconds });
  for (const message of messages) {
    summary.received += 1;
    const checked = await verifyMessage(message.body, deps.verifier);
    if (!checked.ok) {
      summary.refused += 1;
      summary.refusals.push({ messageId: message.messageId, reason: checked.reason });
      await deps.queue.changeVisibility(message.receiptHandle, 0);
      continue;
    }
    const filed = await deps.inbox.file(checked.payload, message.body);
    if (filed) summary.filed += 1;
    else summary.duplicates += 1;
    await deps.queue.delete(message.receiptHandle);
  }
  return summary;
}

type Verified = { ok: true; payload: ReleasePayload } | { ok: false; reason: RefusalReason };

export async function verifyMessage(body: string, verifier: SignatureVerifier): Promise<Verified> {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'envelope-invalid' };
  }
  const envelope = releaseEnvelopeSchema.safeParse(json);
  if (!envelope.success) return { ok: false, reason: 'envelope-invalid' };
  const { payload, signature, keyId } = envelope.data;
  const valid = await verifier.verify(keyId, Buffer.from(payload, 'utf8'), Buffer.from(signature, 'base64'));
  if (!valid) return { ok: false, reason: 'signature-invalid' };
  let payloadJson: unknown;
  try {
    payloadJson = JSON.parse(payload);
  } catch {
    return { ok: false, reason: 'payload-invalid' };
  }
  const parsed = releasePayloadSchema.safeParse(payloadJson);
  if (!parsed.success) return { ok: false, reason: 'payload-invalid' };
  return { ok: true, payload: parsed.data };
}
