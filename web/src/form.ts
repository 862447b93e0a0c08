/**
 * The application form (index.html): validates with the same zod schema as the API
 * (`applicationSchema` in functions/core/application.ts), shows every error next to its field and
 * in a summary at the top, posts the application, then runs the upload step.
 */
import { z } from 'zod';
import { ADULT_AGE, applicationSchema, REDUCED_FEE_AGE } from '../../functions/core/application';
import { ageOn, isRealIsoDate, taipeiDate } from '../../functions/core/dates';
import { type CreateApplicationResponse, createApplication, requestUpload, type Slot, statusFragment } from './api';
import {
  errorKey,
  formatDateTime,
  formatNumber,
  initI18n,
  lang,
  type MessageKey,
  onLangChange,
  setText,
  t,
  translate,
  withLang,
} from './i18n';
import { grantProblem, Uploader } from './upload';

interface FieldError {
  readonly path: string;
  readonly key: MessageKey;
}

function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing #${id}`);
  return el as T;
}

// No `new Function` probe: the page's CSP has no 'unsafe-eval', and zod falls back to the same checks.
z.config({ jitless: true });
initI18n();

const form = byId<HTMLFormElement>('application-form');
const heading = byId('page-heading');
const summary = byId('error-summary');
const summaryTitle = byId('error-summary-title');
const summaryList = byId('error-summary-list');
const submitButton = byId<HTMLButtonElement>('submit-button');
const submitStatus = byId('submit-status');
const feeNote = byId('fee-note');
const titleEl = document.querySelector('title');

let pageTitleKey: MessageKey = 'form.pageTitle';
let errors: FieldError[] = [];
let serverErrors = false;
let attempted = false;
let submitting = false;

// ---------------------------------------------------------------------------------------------
// Reading the form

/** Full-width ASCII (from Chinese input methods) to half-width. */
function halfWidth(v: string): string {
  return v.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ');
}

/** Accepts 1990-05-31, 1990/5/31, 1990.05.31 and 19900531; anything else is passed on for the schema to reject. */
function normalizeDate(raw: string): string {
  const v = halfWidth(raw).trim().replace(/[./]/g, '-');
  if (/^\d{8}$/.test(v)) return `${v.slice(0, 4)}-${v.slice(4, 6)}-${v.slice(6)}`;
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(v);
  if (m) return `${m[1]}-${(m[2] ?? '').padStart(2, '0')}-${(m[3] ?? '').padStart(2, '0')}`;
  return v;
}

function control(name: string): Element | RadioNodeList | null {
  return form.elements.namedItem(name);
}

function text(name: string): string {
  const el = control(name);
  if (!(el instanceof HTMLInputElement || el instanceof HTMLSelectElement)) return '';
  if (el.dataset.date !== undefined) return normalizeDate(el.value);
  if (name.endsWith('chineseName')) return el.value.replace(/[・‧•]/g, '·');
  return halfWidth(el.value);
}

function choice(name: string): string | undefined {
  const el = control(name);
  if (el instanceof RadioNodeList) return el.value || undefined;
  if (el instanceof HTMLInputElement) return el.checked ? el.value : undefined;
  return undefined;
}

function checked(name: string): boolean {
  const el = control(name);
  return el instanceof HTMLInputElement && el.checked;
}

const optional = (v: string) => (v.trim() === '' ? undefined : v);

function isMinor(): boolean {
  const dob = text('applicant.dateOfBirth');
  const today = taipeiDate(new Date());
  return isRealIsoDate(dob) && dob <= today && ageOn(dob, today) < ADULT_AGE;
}

function collect(): Record<string, unknown> {
  const type = choice('applicationType');
  const kind = choice('submitter.kind');
  let previousPassport: Record<string, string | undefined> | undefined;
  if (type === 'RENEWAL') {
    previousPassport = {
      number: optional(text('previousPassport.number')),
      issueDate: optional(text('previousPassport.issueDate')),
    };
  } else if (type === 'LOST_REPLACEMENT') {
    previousPassport = { number: optional(text('previousPassport.number')), lostOn: optional(text('previousPassport.lostOn')) };
  }
  let submitter: Record<string, string> | undefined;
  if (kind === 'AGENCY') {
    submitter = { kind, agencyName: text('submitter.agencyName'), registrationNumber: text('submitter.registrationNumber') };
  } else if (kind === 'RELATIVE') {
    submitter = {
      kind,
      name: text('submitter.name'),
      nationalId: text('submitter.nationalId'),
      relationship: text('submitter.relationship'),
    };
  } else if (kind === 'SELF') {
    submitter = { kind };
  }
  return {
    applicationType: type,
    applicant: {
      nationalId: text('applicant.nationalId'),
      chineseName: text('applicant.chineseName'),
      romanizedSurname: text('applicant.romanizedSurname'),
      romanizedGivenNames: text('applicant.romanizedGivenNames'),
      sex: choice('applicant.sex'),
      dateOfBirth: text('applicant.dateOfBirth'),
      placeOfBirth: text('applicant.placeOfBirth'),
      phone: text('applicant.phone'),
      email: text('applicant.email'),
    },
    legalRepresentative: isMinor()
      ? {
          name: text('legalRepresentative.name'),
          nationalId: text('legalRepresentative.nationalId'),
          relationship: optional(text('legalRepresentative.relationship')),
          phone: text('legalRepresentative.phone'),
        }
      : undefined,
    previousPassport,
    submitter,
    declaration: { truthful: checked('declaration.truthful'), consentToProcessing: checked('declaration.consentToProcessing') },
  };
}

// ---------------------------------------------------------------------------------------------
// Conditional sections

function show(el: HTMLElement, visible: boolean): void {
  el.hidden = !visible;
  if (el instanceof HTMLFieldSetElement) el.disabled = !visible;
}

let repShown = false;

function updateConditional(): void {
  const type = choice('applicationType');
  show(byId('prev-section'), type === 'RENEWAL' || type === 'LOST_REPLACEMENT');
  setText(byId('prev-legend'), type === 'LOST_REPLACEMENT' ? 'form.prev.legendLost' : 'form.prev.legendRenewal');
  setText(byId('prev-number-label'), type === 'LOST_REPLACEMENT' ? 'form.prev.numberLost' : 'form.prev.number');
  byId('prev-issue').hidden = type !== 'RENEWAL';
  byId('prev-lost').hidden = type !== 'LOST_REPLACEMENT';

  const minor = isMinor();
  show(byId('rep-section'), minor);
  const announce = byId('rep-announce');
  if (minor && !repShown) setText(announce, 'form.rep.shown');
  else if (!minor) {
    announce.textContent = '';
    delete announce.dataset.i18n;
  }
  repShown = minor;

  const kind = choice('submitter.kind');
  byId('submitter-agency').hidden = kind !== 'AGENCY';
  byId('submitter-relative').hidden = kind !== 'RELATIVE';

  const dob = text('applicant.dateOfBirth');
  const today = taipeiDate(new Date());
  const fee = isRealIsoDate(dob) && dob <= today && ageOn(dob, today) < REDUCED_FEE_AGE ? 900 : 1300;
  setText(feeNote, 'form.fee', { fee: formatNumber(fee) });
}

// ---------------------------------------------------------------------------------------------
// Validation and error display

function containers(): HTMLElement[] {
  return [...form.querySelectorAll<HTMLElement>('[data-path]')];
}

function isVisible(el: HTMLElement): boolean {
  return !el.closest('[hidden]');
}

/** The container showing errors for a path: exact, else its first visible child field, else the nearest parent. */
function locate(path: string): HTMLElement | null {
  const all = containers().filter(isVisible);
  const exact = all.find((c) => c.dataset.path === path);
  if (exact) return exact;
  const child = all.find((c) => c.dataset.path?.startsWith(`${path}.`));
  if (child) return child;
  const parts = path.split('.');
  while (parts.length > 1) {
    parts.pop();
    const parent = all.find((c) => c.dataset.path === parts.join('.'));
    if (parent) return parent;
  }
  return null;
}

function inputsOf(container: HTMLElement): (HTMLInputElement | HTMLSelectElement)[] {
  if (!container.classList.contains('field')) return [];
  return [...container.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input, select')];
}

/** Adjusts a message to the field: an empty text field says "required", a choice says "choose one". */
function keyForField(key: MessageKey, container: HTMLElement | null): MessageKey {
  if (!container) return key;
  const inputs = inputsOf(container);
  const first = inputs[0];
  if (!first) return key;
  const isChoice = first instanceof HTMLSelectElement || first.type === 'radio';
  if (isChoice && ['err.required', 'err.invalid_value', 'err.invalid_union', 'err.invalid_type'].includes(key)) {
    return 'err.requiredChoice';
  }
  if (first instanceof HTMLInputElement && first.type !== 'checkbox' && !isChoice && first.value.trim() === '') {
    return 'err.required';
  }
  return key;
}

function toFieldErrors(issues: readonly { path: string; message?: string; code?: string }[]): FieldError[] {
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const issue of issues) {
    const container = locate(issue.path);
    const where = container?.dataset.path ?? issue.path;
    if (seen.has(where)) continue;
    seen.add(where);
    out.push({ path: issue.path, key: keyForField(errorKey(issue.message, issue.code), container) });
  }
  return out;
}

type Validation = { ok: true; data: unknown } | { ok: false; errors: FieldError[] };

function validate(): Validation {
  const data = collect();
  const result = applicationSchema(new Date()).safeParse(data);
  if (result.success) return { ok: true, data: result.data };
  const issues = result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message, code: i.code }));
  // The cross-field rules run only once every field is well-formed; ask for the conditional
  // fields now so the applicant does not meet them in a second round.
  const prev = data.previousPassport as Record<string, string | undefined> | undefined;
  if (data.applicationType === 'RENEWAL' && !prev?.number)
    issues.push({ path: 'previousPassport.number', message: 'required', code: 'custom' });
  if (data.applicationType === 'LOST_REPLACEMENT' && !prev?.lostOn)
    issues.push({ path: 'previousPassport.lostOn', message: 'required', code: 'custom' });
  return { ok: false, errors: toFieldErrors(issues) };
}

function labelOf(container: HTMLElement | null): string {
  if (!container) return '';
  const key = container.dataset.summaryLabel;
  if (key) return t(key as MessageKey);
  const label = container.querySelector(':scope > label, :scope > legend');
  return label?.textContent?.trim() ?? '';
}

function focusTarget(container: HTMLElement): HTMLElement | null {
  const inputs = inputsOf(container);
  const checkedRadio = inputs.find((i) => i instanceof HTMLInputElement && i.type === 'radio' && i.checked);
  return checkedRadio ?? inputs[0] ?? container.querySelector<HTMLElement>('input, select, textarea');
}

function clearFieldErrors(): void {
  for (const c of containers()) {
    c.classList.remove('has-error');
    const err = c.querySelector<HTMLElement>(':scope > .error');
    if (err) {
      err.hidden = true;
      err.textContent = '';
      delete err.dataset.i18n;
    }
    for (const input of inputsOf(c)) {
      input.removeAttribute('aria-invalid');
      const base = input.dataset.describedby;
      if (base !== undefined) {
        if (base) input.setAttribute('aria-describedby', base);
        else input.removeAttribute('aria-describedby');
      }
    }
  }
}

function renderTitle(): void {
  if (titleEl) titleEl.textContent = (errors.length > 0 ? t('errors.titlePrefix') : '') + t(pageTitleKey);
}

function renderErrors(focusSummary: boolean): void {
  clearFieldErrors();
  summaryList.replaceChildren();
  const sep = lang() === 'en' ? ': ' : '：';
  const placed = errors
    .map((e) => ({ e, container: locate(e.path) }))
    .sort((a, b) => {
      if (!a.container || !b.container) return a.container ? -1 : b.container ? 1 : 0;
      return a.container.compareDocumentPosition(b.container) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1;
    });
  for (const { e, container } of placed) {
    const message = t(e.key);
    const li = document.createElement('li');
    if (container) {
      container.classList.add('has-error');
      const err = container.querySelector<HTMLElement>(':scope > .error');
      if (err?.hidden) {
        setText(err, e.key);
        err.hidden = false;
        for (const input of inputsOf(container)) {
          input.dataset.describedby ??= input.getAttribute('aria-describedby') ?? '';
          input.setAttribute('aria-invalid', 'true');
          input.setAttribute('aria-describedby', `${err.id} ${input.dataset.describedby}`.trim());
        }
      }
      const target = focusTarget(container);
      const label = labelOf(container);
      const a = document.createElement('a');
      a.textContent = label ? `${label}${sep}${message}` : message;
      if (target?.id) {
        a.href = `#${target.id}`;
        a.addEventListener('click', (ev) => {
          ev.preventDefault();
          container.scrollIntoView({ block: 'start' });
          target.focus({ preventScroll: true });
        });
      }
      li.append(a);
    } else {
      li.textContent = message;
    }
    summaryList.append(li);
  }
  setText(summaryTitle, serverErrors ? 'errors.server' : 'errors.summaryTitle');
  summary.hidden = errors.length === 0;
  renderTitle();
  if (focusSummary && errors.length > 0) {
    summary.scrollIntoView({ block: 'start' });
    summary.focus({ preventScroll: true });
  }
}

/** A message that belongs to no field (network, server busy), shown in the summary box. */
function showAlert(key: MessageKey): void {
  errors = [];
  clearFieldErrors();
  summaryList.replaceChildren();
  setText(summaryTitle, key);
  summary.hidden = false;
  renderTitle();
  summary.focus();
}

// ---------------------------------------------------------------------------------------------
// Submitting

function setSubmitting(on: boolean): void {
  submitting = on;
  submitButton.setAttribute('aria-disabled', String(on));
  if (on) setText(submitStatus, 'form.submitting');
  else {
    submitStatus.textContent = '';
    delete submitStatus.dataset.i18n;
  }
}

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  if (submitting) return;
  attempted = true;
  serverErrors = false;
  const v = validate();
  if (!v.ok) {
    errors = v.errors;
    renderErrors(true);
    return;
  }
  errors = [];
  renderErrors(false);
  setSubmitting(true);
  const res = await createApplication(v.data);
  setSubmitting(false);
  if (res.ok) {
    startUploads(res.body);
    return;
  }
  const issues = res.error?.issues;
  if (res.status === 400 && issues && issues.length > 0) {
    serverErrors = true;
    errors = toFieldErrors(issues);
    renderErrors(true);
    return;
  }
  showAlert(res.status === 0 ? 'common.networkError' : res.status === 429 ? 'common.busy' : 'common.serverError');
});

function tidyInput(target: EventTarget | null): void {
  if (!(target instanceof HTMLInputElement)) return;
  if (target.dataset.date !== undefined) {
    const v = normalizeDate(target.value);
    if (isRealIsoDate(v)) target.value = v;
  } else if (target.dataset.upper !== undefined) {
    target.value = halfWidth(target.value).toUpperCase();
  }
}

form.addEventListener('change', (ev) => {
  tidyInput(ev.target);
  updateConditional();
  // After a failed submit, errors follow the fixes (without moving focus).
  if (attempted && !serverErrors) {
    const v = validate();
    errors = v.ok ? [] : v.errors;
    renderErrors(false);
  }
});
form.addEventListener('input', (ev) => {
  if (ev.target instanceof HTMLInputElement && ev.target.name === 'applicant.dateOfBirth') updateConditional();
});

// ---------------------------------------------------------------------------------------------
// Upload step

function startUploads(created: CreateApplicationResponse): void {
  const { applicationId, statusToken } = created;
  // Nothing personal stays on the page: the form and its values are gone.
  form.reset();
  form.remove();
  errors = [];
  serverErrors = false;
  summary.hidden = true;
  pageTitleKey = 'upload.pageTitle';
  setText(heading, 'upload.heading');
  renderTitle();

  const step = byId('upload-step');
  const link = byId<HTMLAnchorElement>('status-link');
  const statusUrl = byId('status-url');
  const statusHref = () => withLang(`status.html${statusFragment(applicationId, statusToken)}`);
  const absolute = () => new URL(statusHref(), location.href).href;
  byId('app-number').textContent = applicationId;
  const renderTexts = () => {
    link.href = statusHref();
    statusUrl.textContent = absolute();
    setText(byId('upload-deadline'), 'upload.deadline', { time: formatDateTime(created.expiresAt) });
  };
  renderTexts();
  onLangChange(renderTexts);

  const copyResult = byId('copy-result');
  byId('copy-link').addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(absolute());
      setText(copyResult, 'common.copied');
    } catch {
      setText(copyResult, 'common.copyFailed');
    }
  });

  const done = new Set<Slot>();
  const box = byId('uploaders');
  for (const slot of ['photo', 'idCard'] as const) {
    const uploader = new Uploader({
      slot,
      initialGrant: created.uploads[slot],
      headingLevel: 2,
      requestGrant: async () => {
        const r = await requestUpload(applicationId, statusToken, slot);
        if (r.ok) return r.body.upload;
        throw grantProblem(r.status);
      },
      onUploaded: (s) => {
        done.add(s);
        if (done.size === 2) {
          setText(byId('upload-all-done'), 'upload.allDone');
          setTimeout(() => location.assign(statusHref()), 1500);
        }
      },
    });
    box.append(uploader.element);
  }
  translate(step);
  step.hidden = false;
  heading.focus();
}

// ---------------------------------------------------------------------------------------------

function renderNav(): void {
  byId<HTMLAnchorElement>('status-nav').href = withLang('status.html');
}

onLangChange(() => {
  renderNav();
  renderTitle();
  if (!form.isConnected) return; // upload step: the form is gone
  if (errors.length > 0) renderErrors(false);
  updateConditional();
});

renderNav();
updateConditional();
