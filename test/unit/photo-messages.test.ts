import {
  PHOTO_CHECK_MESSAGES,
  PHOTO_MESSAGE_LANGS,
  photoCheckMessage,
  photoMessageTable,
} from '../../functions/core/photo-messages';
import { PHOTO_CHECKS } from '../../functions/core/photo-rules';
import { FACE_MATCH_CHECK, ID_CARD_FACE_CHECK } from '../../functions/core/verdict';
import { checkKey, MESSAGES, ruleKey } from '../../web/src/i18n';

describe('photo-check messages', () => {
  it.each(PHOTO_MESSAGE_LANGS)('has a rule name and a fix for every photo check in %s', (lang) => {
    for (const check of [...PHOTO_CHECKS, ID_CARD_FACE_CHECK] as const) {
      const message = photoCheckMessage(check, lang);
      expect(message).toBe(PHOTO_CHECK_MESSAGES[check][lang]);
      expect(message.rule.length).toBeGreaterThan(1);
      expect(message.fix.length).toBeGreaterThan(10);
    }
  });

  it('writes Traditional Chinese in the Chinese messages and no CJK in the English ones', () => {
    for (const check of PHOTO_CHECKS) {
      expect(photoCheckMessage(check, 'zh-Hant-TW').fix).toMatch(/[\u4e00-\u9fff]/);
      expect(photoCheckMessage(check, 'en').fix).not.toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('gives distinct advice for every check', () => {
    const fixes = PHOTO_CHECKS.map((check) => photoCheckMessage(check, 'en').fix);
    expect(new Set(fixes).size).toBe(fixes.length);
  });

  it('falls back to the generic message for any other name, the face comparison included', () => {
    expect(photoCheckMessage('Something.New', 'en')).toBe(PHOTO_CHECK_MESSAGES.generic.en);
    expect(photoCheckMessage(FACE_MATCH_CHECK, 'zh-Hant-TW')).toBe(PHOTO_CHECK_MESSAGES.generic['zh-Hant-TW']);
    expect(photoCheckMessage('toString', 'en')).toBe(PHOTO_CHECK_MESSAGES.generic.en);
  });

  it('never speaks of a face-comparison score or similarity', () => {
    const all = JSON.stringify(PHOTO_CHECK_MESSAGES);
    expect(all).not.toMatch(/similar|score|match|相似|比對分數/i);
    expect(Object.keys(PHOTO_CHECK_MESSAGES)).not.toContain(FACE_MATCH_CHECK);
  });

  it('builds a page message table with check.<name> and rule.<name> keys', () => {
    const table = photoMessageTable('en');
    expect(table['check.HeadPose.Yaw']).toBe(
      'Your head is turned to the left or right. Face the camera straight on; do not turn your head.',
    );
    expect(table['rule.Sharpness']).toBe('Sharp photo');
    expect(Object.keys(table)).toHaveLength(2 * Object.keys(PHOTO_CHECK_MESSAGES).length);
  });

  it('is what the status page shows: its message table takes every check from the core', () => {
    for (const lang of PHOTO_MESSAGE_LANGS) {
      for (const check of PHOTO_CHECKS) {
        expect(MESSAGES[lang][checkKey(check)]).toBe(photoCheckMessage(check, lang).fix);
        expect(MESSAGES[lang][ruleKey(check)]).toBe(photoCheckMessage(check, lang).rule);
      }
    }
    expect(checkKey(FACE_MATCH_CHECK)).toBe('check.generic');
  });
});
