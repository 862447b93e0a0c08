/**
 * Filling the plain form (web/index.html) the way a person does: by the visible labels and roles,
 * in the language the page is shown in (texts from the same message tables the page uses).
 */
import type { Page } from 'playwright-core';
import type { ApplicationInput } from '../../../functions/core/application';
import { type Lang, MESSAGES, type MessageKey } from '../../../web/src/i18n';

export type { Lang, MessageKey };

/** The text of a message in a language (no parameters). */
export const msg = (lang: Lang, key: MessageKey): string => MESSAGES[lang][key];

export const ZH: Lang = 'zh-Hant-TW';
export const EN: Lang = 'en';

/** The text field with this label, exactly (several labels share words, e.g. the national ID ones). */
export const field = (page: Page, lang: Lang, key: MessageKey) => page.getByLabel(msg(lang, key), { exact: true });

export const radio = (page: Page, lang: Lang, key: MessageKey) => page.getByRole('radio', { name: msg(lang, key), exact: true });

export const checkbox = (page: Page, lang: Lang, key: MessageKey) =>
  page.getByRole('checkbox', { name: msg(lang, key), exact: true });

export const submitButton = (page: Page, lang: Lang) => page.getByRole('button', { name: msg(lang, 'form.submit') });

/** The applicant's part of the form (type, personal data), for a self-submitted first passport. */
export async function fillApplicant(page: Page, lang: Lang, app: ApplicationInput): Promise<void> {
  const a = app.applicant;
  await radio(page, lang, `form.type.${app.applicationType}`).check();
  await field(page, lang, 'form.nationalId').fill(a.nationalId);
  await field(page, lang, 'form.chineseName').fill(a.chineseName);
  await field(page, lang, 'form.romanizedSurname').fill(a.romanizedSurname);
  await field(page, lang, 'form.romanizedGivenNames').fill(a.romanizedGivenNames);
  await radio(page, lang, `form.sex.${a.sex}`).check();
  await field(page, lang, 'form.dateOfBirth').fill(a.dateOfBirth);
  await field(page, lang, 'form.placeOfBirth').fill(a.placeOfBirth);
  await field(page, lang, 'form.phone').fill(a.phone);
  await field(page, lang, 'form.email').fill(a.email ?? '');
}

/** Who submits (self) and the two declarations. */
export async function fillDeclaration(page: Page, lang: Lang): Promise<void> {
  await radio(page, lang, 'form.submitter.SELF').check();
  await checkbox(page, lang, 'form.declaration.truthful').check();
  await checkbox(page, lang, 'form.declaration.consent').check();
}
