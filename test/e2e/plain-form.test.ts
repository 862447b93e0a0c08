/**
 * The plain form (web/) in headless Chromium against the embedded runtime (real scan stage, real
 * embedded face model, in-process on-premises poller): an applicant on a phone fills the form, uploads
 * the photo and the ID card and follows the status page until the record reaches the office; error
 * handling; the language switch; axe-core WCAG 2.1 A/AA on every page; screenshots at 360 and 1280 px
 * in test/e2e/artifacts. Needs Debian's chromium at /usr/bin/chromium (fails loudly without it).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { adultApplicant, nationalId } from '../../bin/support/sample-applicants';
import { sampleIdCard, samplePassportPhoto } from '../../bin/support/sample-images';
import { eventually, startTestRuntime, type TestRuntime } from '../pipeline/support/test-runtime';
import { checkPage, launchChromium, PHONE } from './support/browser';
import { checkbox, EN, field, fillApplicant, fillDeclaration, type Lang, msg, radio, submitButton, ZH } from './support/form';

const APPLICATION_ID = /^P[0-9A-HJKMNP-TV-Z]{12}$/;

let t: TestRuntime | undefined;
let browser: Browser | undefined;
let context: BrowserContext | undefined;
let tmp = '';
let files: { photo: string; idCard: string };

beforeAll(async () => {
  browser = await launchChromium();
  t = await startTestRuntime();
  tmp = await mkdtemp(path.join(os.tmpdir(), 'prereview-e2e-'));
  files = { photo: path.join(tmp, 'photo.jpg'), idCard: path.join(tmp, 'id-card.jpg') };
  await writeFile(files.photo, await samplePassportPhoto(0));
  await writeFile(files.idCard, await sampleIdCard(0));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** A fresh browser context (no stored language) with a phone-sized page, per test. */
async function phonePage(): Promise<Page> {
  await context?.close();
  context = await (browser as Browser).newContext({ viewport: PHONE, locale: 'zh-TW', timezoneId: 'Asia/Taipei' });
  return context.newPage();
}

afterEach(async () => {
  await context?.close();
  context = undefined;
});

function runtime(): TestRuntime {
  if (!t) throw new Error('the runtime did not start');
  return t;
}

const errorSummary = (page: Page) => page.locator('#error-summary');
const fieldError = (page: Page, name: string) => page.locator(`[id="err-${name}"]`);

/** Anything on the status page that would tell the applicant a face-comparison score. */
const SCORE_WORDS = [/FaceMatch/i, /similar/i, /相似/, /\bscore\b/i, /分數/, /\d+(\.\d+)?\s*%/, /\b0\.\d{2,}\b/];

describe('the plain form in headless Chromium', () => {
  it('takes an adult first-passport applicant on a phone from the form to the office inbox', async () => {
    const page = await phonePage();
    const apiBodies: string[] = [];
    page.on('response', (r) => {
      if (r.url().includes('/api/applications/') && r.request().method() === 'GET') {
        void r.text().then(
          (body) => apiBodies.push(body),
          () => undefined,
        );
      }
    });
    const a11y: Record<string, string[]> = {};
    const app = adultApplicant(424242);

    await page.goto(`${runtime().runtime.url}/`);
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('zh-Hant-TW');
    await fillApplicant(page, ZH, app);
    await fillDeclaration(page, ZH);
    await expect(page.locator('#fee-note').textContent()).resolves.toContain('1,300');
    await submitButton(page, ZH).click();

    // The upload step: the application number, a status link, two upload slots.
    await page.getByRole('heading', { level: 1, name: msg(ZH, 'upload.heading') }).waitFor();
    const applicationId = ((await page.locator('#app-number').textContent()) ?? '').trim();
    expect(applicationId).toMatch(APPLICATION_ID);
    expect(await page.locator('#application-form').count()).toBe(0);
    const statusHref = await page.getByRole('link', { name: msg(ZH, 'upload.linkText') }).getAttribute('href');
    expect(statusHref).toMatch(new RegExp(`^status\\.html#id=${applicationId}&token=[A-Za-z0-9_-]{43}$`));
    a11y.upload = await checkPage(page, '03-upload-step');

    const slot = (title: 'upload.photo.title' | 'upload.idCard.title') =>
      page.getByRole('region', { name: msg(ZH, title) }).getByLabel(msg(ZH, 'upload.file'), { exact: true });
    await slot('upload.photo.title').setInputFiles(files.photo);
    await slot('upload.idCard.title').setInputFiles(files.idCard);
    await page.getByText(msg(ZH, 'upload.allDone')).waitFor({ timeout: 15_000 });

    // The page sends the applicant on to the status page by itself.
    await page.waitForURL(/\/status\.html#id=/, { timeout: 15_000 });
    expect(new URL(page.url()).hash).toBe(new URL(statusHref ?? '', page.url()).hash);

    // Follow the status page until the application reaches the office; keep every text it showed.
    const shown: string[] = [];
    const released = msg(ZH, 'status.s.RELEASED');
    const until = Date.now() + 60_000;
    let statusText = '';
    while (Date.now() < until) {
      shown.push((await page.locator('body').textContent()) ?? '');
      statusText = ((await page.locator('#status-text').textContent()) ?? '').trim();
      if (statusText === released) break;
      await page.waitForTimeout(250);
    }
    expect(statusText).toBe(released);
    await expect(page.locator('#app-number').textContent()).resolves.toBe(applicationId);
    const stepStates = await page.locator('#steps .step-state').allTextContents();
    expect(stepStates).toEqual(Array(4).fill(msg(ZH, 'status.step.done')));
    a11y.status = await checkPage(page, '04-status-released');
    shown.push((await page.locator('body').textContent()) ?? '');

    // The on-premises poller filed the record, with what was typed into the form.
    const entry = await eventually('the inbox entry', () =>
      runtime()
        .runtime.inbox.get(applicationId)
        .then((e) => e ?? undefined),
    );
    expect(entry.record.application.applicant).toMatchObject({
      nationalId: app.applicant.nationalId,
      chineseName: app.applicant.chineseName,
      romanizedSurname: app.applicant.romanizedSurname,
      dateOfBirth: app.applicant.dateOfBirth,
      email: app.applicant.email,
    });
    const match = entry.record.findings.find((f) => f.check === 'FaceMatch.IdCardPortrait');
    expect(match?.result).toBe('pass');

    // The applicant never saw the face similarity score: not on the page, not in what the page fetched.
    expect(typeof match?.value).toBe('number');
    const score = Number(match?.value);
    const scoreTexts = [String(score), score.toFixed(2), `${Math.round(score * 100)}%`, `${Math.round(score * 100)} %`];
    const onPage = shown.filter((text) => SCORE_WORDS.some((re) => re.test(text)) || scoreTexts.some((s) => text.includes(s)));
    expect(onPage).toEqual([]);
    expect(apiBodies.length).toBeGreaterThan(0);
    expect(apiBodies.filter((b) => /FaceMatch|similar/i.test(b))).toEqual([]);

    // What the counter sees.
    await page.goto(`${runtime().runtime.url}/onprem/${applicationId}`);
    await page.getByRole('heading', { level: 1, name: applicationId }).waitFor();
    a11y.onprem = await checkPage(page, '05-onprem-counter');
    // The clerk does see the face comparison: the same detector finds it there, so it would have found it above.
    const counterText = (await page.locator('body').textContent()) ?? '';
    expect(SCORE_WORDS.some((re) => re.test(counterText)) && scoreTexts.some((s) => counterText.includes(s))).toBe(true);

    expect(a11y).toEqual({ upload: [], status: [], onprem: [] });
  }, 90_000);

  it('shows an error summary that takes focus, errors next to the fields, and the check-digit message', async () => {
    const page = await phonePage();
    const a11y: Record<string, string[]> = {};
    await page.goto(`${runtime().runtime.url}/`);
    await page.getByRole('heading', { level: 1, name: msg(ZH, 'form.heading') }).waitFor();
    a11y.empty = await checkPage(page, '01-form-empty');
    await expect(errorSummary(page).isHidden()).resolves.toBe(true);

    await submitButton(page, ZH).click();
    await errorSummary(page).waitFor({ state: 'visible' });
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('error-summary');
    expect((await page.title()).startsWith(msg(ZH, 'errors.titlePrefix'))).toBe(true);
    const summaryLinks = errorSummary(page).getByRole('link');
    expect(await summaryLinks.count()).toBeGreaterThanOrEqual(10);

    // The national ID: its own message next to the field, tied to the input, and a link in the summary.
    const idInput = field(page, ZH, 'form.nationalId');
    const idError = fieldError(page, 'applicant.nationalId');
    await expect(idError.isVisible()).resolves.toBe(true);
    await expect(idError.textContent()).resolves.toBe(msg(ZH, 'err.required'));
    await expect(idInput.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(idInput.getAttribute('aria-describedby')).resolves.toContain('err-applicant.nationalId');
    const idLink = errorSummary(page)
      .getByRole('link', { name: msg(ZH, 'form.nationalId'), exact: false })
      .first();
    await expect(idLink.getAttribute('href')).resolves.toBe('#applicant.nationalId');
    await idLink.click();
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('applicant.nationalId');
    // A choice and a declaration get the "choose one" / "must accept" messages.
    await expect(fieldError(page, 'applicant.sex').textContent()).resolves.toBe(msg(ZH, 'err.requiredChoice'));
    await expect(fieldError(page, 'declaration.truthful').textContent()).resolves.toBe(msg(ZH, 'err.must_accept'));
    a11y.errors = await checkPage(page, '02-form-errors');

    // A national ID whose check digit is wrong.
    const valid = nationalId('A', '2', '1234567');
    const wrongDigit = `${valid.slice(0, 9)}${(Number(valid.slice(9)) + 1) % 10}`;
    await idInput.fill(wrongDigit.toLowerCase());
    await submitButton(page, ZH).click();
    await expect(idInput.inputValue()).resolves.toBe(wrongDigit);
    await expect(idError.textContent()).resolves.toBe(msg(ZH, 'err.national_id_check_digit'));
    await expect(errorSummary(page).textContent()).resolves.toContain(msg(ZH, 'err.national_id_check_digit'));

    // With the right check digit the message goes away (errors follow the fixes).
    await idInput.fill(valid);
    await idInput.blur();
    await idError.waitFor({ state: 'hidden' });
    await expect(idInput.getAttribute('aria-invalid')).resolves.toBeNull();

    expect(a11y).toEqual({ empty: [], errors: [] });
  });

  it('keeps what was typed when the applicant switches to English mid-flow', async () => {
    const page = await phonePage();
    const app = adultApplicant(31337);
    await page.goto(`${runtime().runtime.url}/`);
    await fillApplicant(page, ZH, { ...app, applicant: { ...app.applicant, phone: '', email: '' } });
    await checkbox(page, ZH, 'form.declaration.truthful').check();
    await submitButton(page, ZH).click();
    await expect(fieldError(page, 'applicant.phone').textContent()).resolves.toBe(msg(ZH, 'err.required'));

    await page.getByRole('button', { name: msg(ZH, 'common.langSwitchLabel') }).click();
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('en');
    expect(new URL(page.url()).searchParams.get('lang')).toBe('en');
    await page.getByRole('heading', { level: 1, name: msg(EN, 'form.heading') }).waitFor();

    // Every value and choice is still there, now under English labels.
    const expectTyped = async (lang: Lang) => {
      await expect(field(page, lang, 'form.nationalId').inputValue()).resolves.toBe(app.applicant.nationalId);
      await expect(field(page, lang, 'form.chineseName').inputValue()).resolves.toBe(app.applicant.chineseName);
      await expect(field(page, lang, 'form.romanizedSurname').inputValue()).resolves.toBe(app.applicant.romanizedSurname);
      await expect(field(page, lang, 'form.romanizedGivenNames').inputValue()).resolves.toBe(app.applicant.romanizedGivenNames);
      await expect(field(page, lang, 'form.dateOfBirth').inputValue()).resolves.toBe(app.applicant.dateOfBirth);
      await expect(field(page, lang, 'form.placeOfBirth').inputValue()).resolves.toBe(app.applicant.placeOfBirth);
      await expect(radio(page, lang, 'form.type.FIRST').isChecked()).resolves.toBe(true);
      await expect(radio(page, lang, `form.sex.${app.applicant.sex}`).isChecked()).resolves.toBe(true);
      await expect(checkbox(page, lang, 'form.declaration.truthful').isChecked()).resolves.toBe(true);
    };
    await expectTyped(EN);
    // The errors already shown are now in English too.
    await expect(fieldError(page, 'applicant.phone').textContent()).resolves.toBe(msg(EN, 'err.required'));
    await expect(page.locator('#error-summary-title').textContent()).resolves.toBe(msg(EN, 'errors.summaryTitle'));

    // Finish in English: the application is accepted and the upload step speaks English.
    await field(page, EN, 'form.phone').fill(app.applicant.phone);
    await field(page, EN, 'form.email').fill(app.applicant.email ?? '');
    await checkbox(page, EN, 'form.declaration.consent').check();
    await submitButton(page, EN).click();
    await page.getByRole('heading', { level: 1, name: msg(EN, 'upload.heading') }).waitFor();
    await expect(page.locator('#app-number').textContent()).resolves.toMatch(APPLICATION_ID);
    const statusHref = await page.getByRole('link', { name: msg(EN, 'upload.linkText') }).getAttribute('href');
    expect(statusHref).toMatch(/^status\.html\?lang=en#id=/);
  });
});
