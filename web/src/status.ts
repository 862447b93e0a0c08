/**
 * The status page (status.html). The application number and the status token come from the URL
 * fragment (`#id=…&token=…`, never the query string, so they do not reach server logs) or from a
 * small form. Polls every 2 s while the pre-review runs, and offers a re-upload where one is needed
 * (missing or rejected file, photo retake).
 */
import { create as createQr } from 'qrcode';
import {
  APPLICATION_ID_PATTERN,
  getStatus,
  requestUpload,
  type Slot,
  STATUS_TOKEN_PATTERN,
  type StatusResponse,
  statusFragment,
} from './api';
import {
  checkKey,
  formatDateTime,
  formatNumber,
  initI18n,
  type MessageKey,
  onLangChange,
  ruleKey,
  setText,
  translate,
  withLang,
} from './i18n';
import { grantProblem, Uploader } from './upload';

type Status = StatusResponse['status'];
type StepState = 'done' | 'current' | 'todo' | 'action';

/** States in which the pre-review is still moving on its own (VETTED moves on to RELEASED by itself). */
const POLL_STATES: ReadonlySet<Status> = new Set<Status>(['AWAITING_UPLOADS', 'SCANNING', 'CHECKING', 'VETTED']);
/** States in which the API hands out upload grants (UPLOAD_OPEN_STATES in functions/core/states.ts). */
const UPLOAD_OPEN: ReadonlySet<Status> = new Set<Status>(['AWAITING_UPLOADS', 'SCANNING', 'RETAKE_REQUESTED', 'REJECTED']);
const POLL_MS = 2000;
const MAX_BACKOFF_MS = 30_000;
/** After an upload from this page, keep polling this long even in a resting state, until the upload shows. */
const AFTER_UPLOAD_MS = 2 * 60_000;
const SLOTS = ['photo', 'idCard'] as const;

function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing #${id}`);
  return el as T;
}

initI18n();

const lookupForm = byId<HTMLFormElement>('lookup-form');
const lookupId = byId<HTMLInputElement>('lookup-id');
const lookupToken = byId<HTMLInputElement>('lookup-token');
const errorBox = byId('status-error');
const loading = byId('loading');
const view = byId('status-view');
const retrying = byId('status-retrying');

interface Credentials {
  readonly id: string;
  readonly token: string;
}

let creds: Credentials | null = null;
let last: StatusResponse | null = null;
let generation = 0;
let timer: ReturnType<typeof setTimeout> | undefined;
let failures = 0;
let waitingForVisible = false;
let lastUploadAt = 0;
let qrFor = '';
const uploaders = new Map<Slot, Uploader>();
const wasNeeded = new Map<Slot, boolean>();

// ---------------------------------------------------------------------------------------------
// Credentials: fragment or form

function readFragment(): { id: string; token: string } {
  const p = new URLSearchParams(location.hash.slice(1));
  return { id: (p.get('id') ?? '').trim().toUpperCase(), token: (p.get('token') ?? '').trim() };
}

function fieldError(input: HTMLInputElement, key: MessageKey | null): void {
  const err = byId(`err-${input.id}`);
  const hint = `hint-${input.id}`;
  if (key) {
    setText(err, key);
    err.hidden = false;
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', `${err.id} ${hint}`);
  } else {
    err.hidden = true;
    input.removeAttribute('aria-invalid');
    input.setAttribute('aria-describedby', hint);
  }
}

function showLookup(prefill: { id: string; token: string }, markErrors: boolean): void {
  lookupForm.hidden = false;
  lookupId.value = prefill.id;
  lookupToken.value = prefill.token;
  if (markErrors) checkLookup();
}

/** Validates the lookup form; returns the credentials when both fields are well-formed. */
function checkLookup(): Credentials | null {
  const id = lookupId.value.trim().toUpperCase();
  const token = lookupToken.value.trim();
  const idKey: MessageKey | null = !id ? 'err.required' : APPLICATION_ID_PATTERN.test(id) ? null : 'err.application_id_format';
  const tokenKey: MessageKey | null = !token ? 'err.required' : STATUS_TOKEN_PATTERN.test(token) ? null : 'err.token_format';
  fieldError(lookupId, idKey);
  fieldError(lookupToken, tokenKey);
  if (idKey) lookupId.focus();
  else if (tokenKey) lookupToken.focus();
  return idKey || tokenKey ? null : { id, token };
}

lookupForm.addEventListener('submit', (ev) => {
  ev.preventDefault();
  const c = checkLookup();
  if (!c) return;
  // Put the credentials in the fragment so this page can be bookmarked; the fragment never leaves the browser.
  history.replaceState(null, '', `${location.pathname}${location.search}${statusFragment(c.id, c.token)}`);
  start(c);
});

window.addEventListener('hashchange', () => {
  const f = readFragment();
  if (
    APPLICATION_ID_PATTERN.test(f.id) &&
    STATUS_TOKEN_PATTERN.test(f.token) &&
    (f.id !== creds?.id || f.token !== creds.token)
  ) {
    start(f);
  }
});

// ---------------------------------------------------------------------------------------------
// Polling

function start(c: Credentials): void {
  generation += 1;
  clearTimeout(timer);
  failures = 0;
  if (creds?.id !== c.id) {
    last = null;
    view.hidden = true;
    for (const u of uploaders.values()) u.element.remove();
    uploaders.clear();
    wasNeeded.clear();
  }
  creds = c;
  lookupForm.hidden = true;
  errorBox.hidden = true;
  if (!last) {
    setText(loading, 'status.loading');
    loading.hidden = false;
  }
  void poll(generation);
}

function schedule(gen: number, ms: number): void {
  clearTimeout(timer);
  timer = setTimeout(() => void poll(gen), ms);
}

function pollNow(): void {
  clearTimeout(timer);
  void poll(generation);
}

async function poll(gen: number): Promise<void> {
  if (gen !== generation || !creds) return;
  if (document.hidden) {
    // Paused while the tab is in the background; resumed by visibilitychange.
    waitingForVisible = true;
    return;
  }
  const res = await getStatus(creds.id, creds.token);
  if (gen !== generation) return;
  if (res.ok) {
    failures = 0;
    retrying.textContent = '';
    delete retrying.dataset.i18n;
    last = res.body;
    render(res.body);
    const busy = [...uploaders.values()].some((u) => u.isBusy);
    if (POLL_STATES.has(res.body.status) || busy || Date.now() - lastUploadAt < AFTER_UPLOAD_MS) schedule(gen, POLL_MS);
    return;
  }
  if (res.status === 0 || res.status === 429 || res.status >= 500) {
    failures += 1;
    loading.hidden = true;
    if (last) setText(retrying, 'status.err.retrying');
    else showError('status.err.retrying');
    schedule(gen, Math.min(POLL_MS * 2 ** failures, MAX_BACKOFF_MS));
    return;
  }
  // 4xx: wrong number or token, or the record is gone. Stop.
  loading.hidden = true;
  showError(res.status === 401 || res.status === 403 || res.status === 404 ? 'status.err.notFound' : 'common.serverError');
  if (!last) showLookup({ id: creds.id, token: '' }, false);
}

function showError(key: MessageKey): void {
  setText(errorBox, key);
  errorBox.hidden = false;
}

document.addEventListener('visibilitychange', () => {
  if (!document.hidden && waitingForVisible) {
    waitingForVisible = false;
    void poll(generation);
  }
});

// ---------------------------------------------------------------------------------------------
// Rendering

function stepStates(s: StatusResponse): [StepState, StepState, StepState, StepState] {
  switch (s.status) {
    case 'AWAITING_UPLOADS':
      return [SLOTS.some((slot) => s.uploads[slot].state === 'REJECTED') ? 'action' : 'current', 'todo', 'todo', 'todo'];
    case 'SCANNING':
      return ['done', 'current', 'todo', 'todo'];
    case 'CHECKING':
      return ['done', 'done', 'current', 'todo'];
    case 'VETTED':
      return ['done', 'done', 'done', 'current'];
    case 'RELEASED':
      return ['done', 'done', 'done', 'done'];
    case 'RETAKE_REQUESTED':
      return ['done', 'done', 'action', 'todo'];
    case 'REJECTED':
      return ['done', 'action', 'todo', 'todo'];
    case 'EXPIRED':
      return ['todo', 'todo', 'todo', 'todo'];
  }
}

function renderSteps(s: StatusResponse): void {
  const states = stepStates(s);
  const items = byId('steps').querySelectorAll<HTMLElement>('li');
  items.forEach((li, i) => {
    const state = states[i] ?? 'todo';
    li.className = `step step-${state}`;
    if (state === 'current' || state === 'action') li.setAttribute('aria-current', 'step');
    else li.removeAttribute('aria-current');
    const label = li.querySelector<HTMLElement>('.step-state');
    if (label) setText(label, `status.step.${state}`);
  });
}

function needsUpload(s: StatusResponse, slot: Slot): boolean {
  if (!UPLOAD_OPEN.has(s.status)) return false;
  const state = s.uploads[slot].state;
  if (state === 'AWAITING' || state === 'REJECTED') return true;
  return slot === 'photo' && s.status === 'RETAKE_REQUESTED';
}

function uploaderFor(slot: Slot): Uploader {
  let u = uploaders.get(slot);
  if (!u) {
    u = new Uploader({
      slot,
      headingLevel: 3,
      requestGrant: async () => {
        if (!creds) throw grantProblem(0);
        const r = await requestUpload(creds.id, creds.token, slot);
        if (r.ok) return r.body.upload;
        throw grantProblem(r.status);
      },
      onUploaded: () => {
        lastUploadAt = Date.now();
        pollNow();
      },
    });
    uploaders.set(slot, u);
    byId('reupload').append(u.element);
  }
  return u;
}

function renderUploads(s: StatusResponse): void {
  for (const slot of SLOTS) {
    setText(byId(`slot-${slot}`), `status.slot.${s.uploads[slot].state}`);
    const needed = needsUpload(s, slot);
    const existing = uploaders.get(slot);
    if (needed) {
      const u = uploaderFor(slot);
      if (wasNeeded.get(slot) === false) u.reset();
      u.element.hidden = false;
    } else if (existing && !existing.isBusy) {
      existing.element.hidden = true;
    }
    wasNeeded.set(slot, needed);
  }
}

function renderVerdict(s: StatusResponse): void {
  const section = byId('verdict-section');
  const text = byId('verdict-text');
  if (s.verdict) {
    setText(text, `status.v.${s.verdict.outcome}`);
  } else if (POLL_STATES.has(s.status)) {
    setText(text, 'status.v.pending');
  }
  section.hidden = !s.verdict && !POLL_STATES.has(s.status) && s.status !== 'RETAKE_REQUESTED';

  // The checks the applicant can act on: the verdict's retake list and any failed photo rule.
  const checks = [
    ...new Set([...(s.verdict?.retakeChecks ?? []), ...s.findings.filter((f) => f.result === 'fail').map((f) => f.check)]),
  ];
  const list = byId('fix-list');
  const current = [...list.children].map((li) => (li as HTMLElement).dataset.check).join('|');
  if (current !== checks.join('|')) {
    list.replaceChildren(
      ...checks.map((check) => {
        const li = document.createElement('li');
        li.dataset.check = check;
        const name = document.createElement('strong');
        name.className = 'rule-name';
        setText(name, ruleKey(check));
        const advice = document.createElement('span');
        setText(advice, checkKey(check));
        li.append(name, advice);
        return li;
      }),
    );
  }
  byId('fixes').hidden = checks.length === 0;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Draws the QR code as inline SVG built with DOM calls (no innerHTML). */
function renderQr(id: string): void {
  if (qrFor === id) return;
  qrFor = id;
  const qr = createQr(id, { errorCorrectionLevel: 'M' });
  const size = qr.modules.size;
  const margin = 4;
  let d = '';
  for (let y = 0; y < size; y += 1) {
    for (let x = 0; x < size; x += 1) {
      if (qr.modules.get(y, x)) d += `M${x + margin} ${y + margin}h1v1h-1z`;
    }
  }
  const svg = document.createElementNS(SVG_NS, 'svg');
  const dim = size + 2 * margin;
  svg.setAttribute('viewBox', `0 0 ${dim} ${dim}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('shape-rendering', 'crispEdges');
  svg.dataset.i18nLabel = 'status.qr';
  svg.dataset.i18nParams = JSON.stringify({ id });
  const bg = document.createElementNS(SVG_NS, 'rect');
  bg.setAttribute('width', String(dim));
  bg.setAttribute('height', String(dim));
  bg.setAttribute('fill', '#fff');
  const path = document.createElementNS(SVG_NS, 'path');
  path.setAttribute('d', d);
  path.setAttribute('fill', '#000');
  svg.append(bg, path);
  const box = byId('qr');
  box.replaceChildren(svg);
  translate(box);
  byId('qr-caption').textContent = id;
}

function render(s: StatusResponse): void {
  loading.hidden = true;
  errorBox.hidden = true;
  view.hidden = false;
  byId('app-number').textContent = s.applicationId;
  setText(byId('status-text'), `status.s.${s.status}`);
  renderSteps(s);
  renderVerdict(s);
  renderUploads(s);
  byId('counter-section').hidden = s.status === 'EXPIRED';
  setText(byId('fee-text'), 'status.fee', { fee: formatNumber(s.fee) });
  renderQr(s.applicationId);
  setText(byId('deletion-text'), 'status.deletion', { time: formatDateTime(s.deleteAfter) });
  setText(byId('updated-text'), 'status.updated', { time: formatDateTime(s.updatedAt) });
}

// ---------------------------------------------------------------------------------------------

function renderLinks(): void {
  byId<HTMLAnchorElement>('form-link').href = withLang('index.html');
}

onLangChange(() => {
  renderLinks();
  if (last) render(last);
});
renderLinks();

const initial = readFragment();
if (APPLICATION_ID_PATTERN.test(initial.id) && STATUS_TOKEN_PATTERN.test(initial.token)) {
  start(initial);
} else {
  showLookup(initial, initial.id !== '' || initial.token !== '');
}
