/**
 * One upload slot (photo or ID card): file checks in the browser, then a presigned-POST-style
 * multipart request (every grant field first, the file last) with a progress bar, and a retry that
 * asks for a new grant when the old one expired or was refused. Used by the form's upload step and
 * by the status page (re-upload after RETAKE or a rejected file).
 */
import { resolveUploadUrl, type Slot, type UploadGrant } from './api';
import { type MessageKey, type Params, setText } from './i18n';

/** Mirrors UPLOAD_LIMITS in functions/core/api.ts (not imported: that module would pull zod into the page). */
export const UPLOAD_MIN_BYTES = 1024;
export const UPLOAD_DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
export const UPLOAD_ACCEPT = 'image/jpeg,image/png';
/** A grant this close to its expiry is replaced before use. */
const GRANT_MARGIN_MS = 60_000;

/** An error with the message to show and whether “Try again” makes sense. */
export class UploadProblem extends Error {
  constructor(
    readonly key: MessageKey,
    readonly retryable: boolean,
    readonly params?: Params,
  ) {
    super(key);
    this.name = 'UploadProblem';
  }
}

export interface UploaderOptions {
  readonly slot: Slot;
  /** A grant from the create-application response, if there is one. */
  readonly initialGrant?: UploadGrant;
  /** Asks the API for a new grant; throws an UploadProblem when it cannot. */
  readonly requestGrant: () => Promise<UploadGrant>;
  readonly onUploaded: (slot: Slot) => void;
  /** Heading level for the slot's title (the form uses h2, the status page h3). */
  readonly headingLevel?: 2 | 3 | 4;
}

const mb = (bytes: number) => Math.floor((bytes / (1024 * 1024)) * 10) / 10;

/** Checks type (declared and magic bytes) and size before anything is sent. */
export async function checkFile(file: File, maxBytes: number): Promise<UploadProblem | null> {
  if (file.type !== 'image/jpeg' && file.type !== 'image/png') return new UploadProblem('upload.err.type', false);
  if (file.size > maxBytes) return new UploadProblem('upload.err.tooBig', false, { mb: mb(maxBytes) });
  if (file.size < UPLOAD_MIN_BYTES) return new UploadProblem('upload.err.tooSmall', false);
  let head: Uint8Array;
  try {
    head = new Uint8Array(await file.slice(0, 8).arrayBuffer());
  } catch {
    return new UploadProblem('upload.err.type', false);
  }
  const isJpeg = head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff;
  const isPng = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((b, i) => head[i] === b);
  if (!(isJpeg || isPng)) return new UploadProblem('upload.err.type', false);
  return null;
}

/** POSTs the grant's fields then the file; resolves with the HTTP status (0 on a network failure). */
export function postUpload(url: string, grant: UploadGrant, file: File, onProgress: (fraction: number) => void): Promise<number> {
  const body = new FormData();
  for (const [name, value] of Object.entries(grant.fields)) body.append(name, value);
  // The grant's policy requires a Content-Type starting with image/ (as an S3 presigned POST would).
  body.append('Content-Type', file.type === 'image/png' ? 'image/png' : 'image/jpeg');
  // A neutral file name: the user's own file name is never sent.
  body.append('file', file, file.type === 'image/png' ? 'upload.png' : 'upload.jpg');
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.timeout = 10 * 60 * 1000;
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    });
    xhr.addEventListener('load', () => resolve(xhr.status));
    xhr.addEventListener('error', () => resolve(0));
    xhr.addEventListener('timeout', () => resolve(0));
    xhr.addEventListener('abort', () => resolve(0));
    xhr.send(body);
  });
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Node[]) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

function expired(grant: UploadGrant): boolean {
  const at = Date.parse(grant.expiresAt);
  return Number.isNaN(at) || at - Date.now() < GRANT_MARGIN_MS;
}

export class Uploader {
  readonly element: HTMLElement;
  private readonly inputs: HTMLInputElement[];
  private readonly progress: HTMLProgressElement;
  private readonly status: HTMLElement;
  private readonly error: HTMLElement;
  private readonly retry: HTMLButtonElement;
  private readonly hint: HTMLElement;
  private grant: UploadGrant | undefined;
  private file: File | undefined;
  private needNewGrant = false;
  private busy = false;
  private done = false;

  constructor(private readonly opts: UploaderOptions) {
    const { slot } = opts;
    this.grant = opts.initialGrant;
    const base = `upload-${slot}`;
    const title = el(`h${opts.headingLevel ?? 2}`, { id: `${base}-title` });
    setText(title, slot === 'photo' ? 'upload.photo.title' : 'upload.idCard.title');
    this.hint = el('p', { id: `${base}-hint`, class: 'hint' });
    this.error = el('p', { id: `${base}-error`, class: 'error', role: 'alert', hidden: '' });
    this.status = el('p', { id: `${base}-status`, class: 'upload-status', role: 'status' });
    setText(this.status, 'upload.waiting');
    this.progress = el('progress', { max: '100', value: '0', hidden: '', 'aria-labelledby': title.id }) as HTMLProgressElement;

    const camera = this.fileInput(`${base}-camera`, slot === 'photo' ? 'user' : 'environment');
    const picker = this.fileInput(`${base}-file`, null);
    this.inputs = [camera.input, picker.input];
    camera.label.classList.add('camera-only');
    camera.input.classList.add('camera-only');
    setText(camera.label, 'upload.camera');
    setText(picker.label, 'upload.file');

    this.retry = el('button', { type: 'button', class: 'button secondary', hidden: '' }) as HTMLButtonElement;
    setText(this.retry, 'upload.retry');
    this.retry.addEventListener('click', () => {
      if (this.file) void this.send();
    });

    this.element = el(
      'section',
      { class: 'uploader', 'aria-labelledby': title.id },
      title,
      this.hint,
      this.error,
      el('div', { class: 'upload-actions' }, camera.input, camera.label, picker.input, picker.label, this.retry),
      this.progress,
      this.status,
    );
    this.renderHint();
  }

  private fileInput(id: string, capture: 'user' | 'environment' | null) {
    const input = el('input', {
      type: 'file',
      id,
      accept: UPLOAD_ACCEPT,
      class: 'file-input',
      'aria-describedby': `upload-${this.opts.slot}-hint upload-${this.opts.slot}-error`,
    }) as HTMLInputElement;
    if (capture) input.setAttribute('capture', capture);
    input.addEventListener('change', () => {
      const file = input.files?.[0];
      input.value = '';
      if (file) void this.start(file);
    });
    const label = el('label', { for: id, class: 'button file-label' });
    return { input, label };
  }

  private renderHint(): void {
    const max = this.grant?.maxBytes ?? UPLOAD_DEFAULT_MAX_BYTES;
    setText(this.hint, this.opts.slot === 'photo' ? 'upload.photo.hint' : 'upload.idCard.hint', { mb: mb(max) });
  }

  get isBusy(): boolean {
    return this.busy;
  }

  get isDone(): boolean {
    return this.done;
  }

  /** Back to the initial state (a new upload is needed for this slot). */
  reset(): void {
    if (this.busy) return;
    this.done = false;
    this.file = undefined;
    this.progress.hidden = true;
    this.retry.hidden = true;
    this.showError(null);
    setText(this.status, 'upload.waiting');
  }

  private showError(problem: UploadProblem | null): void {
    if (!problem) {
      this.error.hidden = true;
      this.error.textContent = '';
      for (const input of this.inputs) input.removeAttribute('aria-invalid');
      return;
    }
    setText(this.error, problem.key, problem.params);
    this.error.hidden = false;
    for (const input of this.inputs) input.setAttribute('aria-invalid', 'true');
  }

  private setBusy(busy: boolean): void {
    this.busy = busy;
    for (const input of this.inputs) input.disabled = busy;
    this.retry.disabled = busy;
  }

  private async start(file: File): Promise<void> {
    if (this.busy) return;
    this.showError(null);
    this.retry.hidden = true;
    const problem = await checkFile(file, this.grant?.maxBytes ?? UPLOAD_DEFAULT_MAX_BYTES);
    if (problem) {
      this.showError(problem);
      return;
    }
    this.file = file;
    this.done = false;
    await this.send();
  }

  private async send(): Promise<void> {
    const file = this.file;
    if (!file || this.busy) return;
    this.setBusy(true);
    this.showError(null);
    this.retry.hidden = true;
    setText(this.status, 'upload.preparing');
    try {
      if (!this.grant || this.needNewGrant || expired(this.grant)) {
        this.grant = await this.opts.requestGrant();
        this.needNewGrant = false;
        this.renderHint();
      }
      const grant = this.grant;
      if (file.size > grant.maxBytes) throw new UploadProblem('upload.err.tooBig', false, { mb: mb(grant.maxBytes) });
      this.progress.value = 0;
      this.progress.hidden = false;
      setText(this.status, 'upload.progress');
      const url = await resolveUploadUrl(grant.url);
      const status = await postUpload(url, grant, file, (f) => {
        this.progress.value = Math.round(f * 100);
      });
      if (status >= 200 && status < 300) {
        this.progress.value = 100;
        this.done = true;
        this.file = undefined;
        // The grant has been used; a later upload for this slot asks for a fresh one.
        this.needNewGrant = true;
        setText(this.status, 'upload.done', { name: file.name });
        this.setBusy(false);
        this.opts.onUploaded(this.opts.slot);
        return;
      }
      if (status === 0) throw new UploadProblem('upload.err.network', true);
      // 4xx from the bucket: expired or refused policy — the retry asks for a new grant.
      this.needNewGrant = true;
      throw new UploadProblem(status >= 500 ? 'upload.err.server' : 'upload.err.refused', true);
    } catch (e) {
      const problem = e instanceof UploadProblem ? e : new UploadProblem('upload.err.network', true);
      this.progress.hidden = true;
      setText(this.status, 'upload.waiting');
      this.showError(problem);
      this.retry.hidden = !problem.retryable;
      if (!problem.retryable) this.file = undefined;
      this.setBusy(false);
    }
  }
}

/** Turns a request-upload API failure into an UploadProblem. */
export function grantProblem(status: number): UploadProblem {
  if (status === 0) return new UploadProblem('upload.err.network', true);
  if (status === 409 || status === 403 || status === 410) return new UploadProblem('upload.err.closed', false);
  if (status === 429) return new UploadProblem('common.busy', true);
  return new UploadProblem('upload.err.grant', true);
}
