import { cleanKey, parseCleanKey, parseQuarantineKey, quarantineKey, type UploadRef } from '../../functions/shared/object-keys';

const APP = 'P0123456789AB';
const UPLOAD = 'uAbCdEfGh12345678';
const REF: UploadRef = { applicationId: APP, slot: 'photo', uploadId: UPLOAD };

describe('object keys', () => {
  it.each<UploadRef>([
    REF,
    { applicationId: APP, slot: 'idCard', uploadId: UPLOAD },
    { applicationId: 'PZZZZZZZZZZZZ', slot: 'photo', uploadId: 'u0000000000000000' },
    { applicationId: 'PABCDEFGHJKMN', slot: 'idCard', uploadId: 'uzzzzzzzzzzzzzzzz' },
  ])('round-trips $slot of $applicationId through the quarantine and clean keys', (ref) => {
    expect(parseQuarantineKey(quarantineKey(ref))).toEqual(ref);
    expect(parseCleanKey(cleanKey(ref))).toEqual(ref);
  });

  it('builds the documented key layouts', () => {
    expect(quarantineKey(REF)).toBe(`uploads/${APP}/photo/${UPLOAD}`);
    expect(cleanKey(REF)).toBe(`clean/${APP}/photo/${UPLOAD}.jpg`);
  });

  it('does not confuse the two buckets’ keys', () => {
    expect(parseCleanKey(quarantineKey(REF))).toBeNull();
    expect(parseQuarantineKey(cleanKey(REF))).toBeNull();
  });

  it.each([
    ['path traversal', 'uploads/../x'],
    ['traversal in the slot position', `uploads/${APP}/../${UPLOAD}`],
    ['traversal after a valid key', `uploads/${APP}/photo/${UPLOAD}/../../secret`],
    ['unknown slot', `uploads/${APP}/passport/${UPLOAD}`],
    ['slot in the wrong case', `uploads/${APP}/idcard/${UPLOAD}`],
    ['lowercase application id', `uploads/${APP.toLowerCase()}/photo/${UPLOAD}`],
    ['application id with a letter Crockford excludes (I)', `uploads/P0123456789AI/photo/${UPLOAD}`],
    ['application id with a letter Crockford excludes (U)', `uploads/P0123456789AU/photo/${UPLOAD}`],
    ['application id too short', `uploads/P0123456789A/photo/${UPLOAD}`],
    ['application id without the P', `uploads/Q0123456789AB/photo/${UPLOAD}`],
    ['upload id too short', `uploads/${APP}/photo/uAbCdEfGh1234567`],
    ['upload id with a symbol', `uploads/${APP}/photo/uAbCdEfGh1234567-`],
    ['extra trailing segment', `uploads/${APP}/photo/${UPLOAD}/extra`],
    ['extra leading segment', `x/uploads/${APP}/photo/${UPLOAD}`],
    ['leading slash', `/uploads/${APP}/photo/${UPLOAD}`],
    ['a file extension', `uploads/${APP}/photo/${UPLOAD}.jpg`],
    ['a trailing newline', `uploads/${APP}/photo/${UPLOAD}\n`],
    ['wrong prefix', `upload/${APP}/photo/${UPLOAD}`],
    ['empty', ''],
  ])('rejects a quarantine key with %s', (_name, key) => {
    expect(parseQuarantineKey(key)).toBeNull();
  });

  it.each([
    ['no .jpg', `clean/${APP}/photo/${UPLOAD}`],
    ['.jpeg instead of .jpg', `clean/${APP}/photo/${UPLOAD}.jpeg`],
    ['.JPG in capitals', `clean/${APP}/photo/${UPLOAD}.JPG`],
    ['.png', `clean/${APP}/photo/${UPLOAD}.png`],
    ['a double extension', `clean/${APP}/photo/${UPLOAD}.jpg.exe`],
    ['path traversal', `clean/../uploads/${APP}/photo/${UPLOAD}.jpg`],
    ['unknown slot', `clean/${APP}/selfie/${UPLOAD}.jpg`],
    ['lowercase application id', `clean/${APP.toLowerCase()}/photo/${UPLOAD}.jpg`],
    ['extra segment', `clean/${APP}/photo/extra/${UPLOAD}.jpg`],
  ])('rejects a clean key with %s', (_name, key) => {
    expect(parseCleanKey(key)).toBeNull();
  });
});
