/**
 * What an applicant is told about each photo check: the rule's plain name and what to do, in
 * Traditional Chinese and English. Pure data: the status page (web/src/i18n.ts) builds its message
 * table from it, so the wording lives here only. There is no message about the face comparison and
 * never a score: an applicant is never told a face-comparison result.
 */
import type { PhotoCheckName } from './photo-rules';

export const PHOTO_MESSAGE_LANGS = ['zh-Hant-TW', 'en'] as const;
export type PhotoMessageLang = (typeof PHOTO_MESSAGE_LANGS)[number];

export interface PhotoCheckMessage {
  /** The rule's plain name (a heading). */
  readonly rule: string;
  /** What is wrong and how to fix it. */
  readonly fix: string;
}

/** Checks with an applicant message: every photo check, the ID card's portrait, and a fallback. */
export type PhotoMessageKey = PhotoCheckName | 'IdCard.FacePresent' | 'generic';

type Bilingual = Readonly<Record<PhotoMessageLang, PhotoCheckMessage>>;

export const PHOTO_CHECK_MESSAGES: Readonly<Record<PhotoMessageKey, Bilingual>> = {
  SingleFacePresent: {
    'zh-Hant-TW': {
      rule: '只能有一張臉',
      fix: '照片中要有且只有一張臉。請讓畫面中只有您本人，臉部完整入鏡。',
    },
    en: {
      rule: 'One face only',
      fix: 'The photo must show exactly one face. Make sure only you are in the picture, with your whole face visible.',
    },
  },
  ImageResolution: {
    'zh-Hant-TW': {
      rule: '照片解析度',
      fix: '照片解析度太低。請上傳至少 413 × 531 像素的原始照片，不要截圖或縮小。',
    },
    en: {
      rule: 'Image resolution',
      fix: 'The photo resolution is too low. Upload the original photo, at least 413 × 531 pixels; do not send a screenshot or a reduced copy.',
    },
  },
  AspectRatio: {
    'zh-Hant-TW': {
      rule: '照片比例',
      fix: '照片要是直式 3.5 × 4.5 公分的比例。請用直式拍攝，或把照片裁切成 35:45。',
    },
    en: {
      rule: 'Photo proportions',
      fix: 'The photo must be upright in the 35 × 45 mm proportions. Take it in portrait orientation or crop it to 35:45.',
    },
  },
  HeadSize: {
    'zh-Hant-TW': {
      rule: '頭部大小',
      fix: '頭部大小不符：頭頂到下巴要占照片高度約 70–80%（3.2–3.6 公分）。請調整與相機的距離，讓臉不要太小或太大。',
    },
    en: {
      rule: 'Head size',
      fix: 'The head is the wrong size: from crown to chin it should fill about 70–80% of the photo height (3.2–3.6 cm). Move closer to or further from the camera.',
    },
  },
  MarginAboveOfTheFaceImage: {
    'zh-Hant-TW': {
      rule: '頭頂被裁切',
      fix: '頭頂被裁掉了。請讓整個頭部（含頭髮）都在照片內，頭頂上方留一點空白。',
    },
    en: {
      rule: 'Top of the head cut off',
      fix: 'The top of your head is cut off. Keep your whole head, hair included, inside the photo with a little space above it.',
    },
  },
  HeadPositionHorizontal: {
    'zh-Hant-TW': {
      rule: '頭部置中',
      fix: '頭部沒有在照片正中間。請站在相機正前方，讓臉位於畫面中央。',
    },
    en: {
      rule: 'Head centred',
      fix: 'Your head is not in the middle of the photo. Stand straight in front of the camera with your face in the centre.',
    },
  },
  InterEyeDistance: {
    'zh-Hant-TW': {
      rule: '臉部清晰度',
      fix: '臉在照片中太小或解析度太低。請靠近相機，或用較高解析度拍攝。',
    },
    en: {
      rule: 'Face detail',
      fix: 'Your face is too small or the resolution too low. Move closer to the camera or use a higher resolution.',
    },
  },
  'HeadPose.Yaw': {
    'zh-Hant-TW': {
      rule: '頭部左右轉動',
      fix: '頭部向左或向右轉了。請正視鏡頭，頭部不要左右轉動。',
    },
    en: {
      rule: 'Head turned sideways',
      fix: 'Your head is turned to the left or right. Face the camera straight on; do not turn your head.',
    },
  },
  'HeadPose.Pitch': {
    'zh-Hant-TW': {
      rule: '頭部上下傾斜',
      fix: '頭部抬起或低下了。請保持下巴水平，直視鏡頭。',
    },
    en: {
      rule: 'Head tilted up or down',
      fix: 'Your head is tilted up or down. Keep your chin level and look straight into the camera.',
    },
  },
  'HeadPose.Roll': {
    'zh-Hant-TW': {
      rule: '頭部歪斜',
      fix: '頭部向一側傾斜了。請把頭擺正，相機也要拿正。',
    },
    en: {
      rule: 'Head tilted to one side',
      fix: 'Your head is tilted to one side. Hold your head upright and the camera level.',
    },
  },
  EyesOpen: {
    'zh-Hant-TW': {
      rule: '雙眼張開',
      fix: '眼睛需要清楚張開。請張開雙眼直視鏡頭，不要戴有色眼鏡，頭髮不要遮住眼睛。',
    },
    en: {
      rule: 'Eyes open',
      fix: 'Your eyes must be open and clearly visible. Look into the camera; no tinted glasses, and keep hair away from your eyes.',
    },
  },
  MouthClosed: {
    'zh-Hant-TW': {
      rule: '嘴巴閉合',
      fix: '嘴巴需要閉合。請保持自然表情、閉上嘴巴，不要露齒微笑。',
    },
    en: {
      rule: 'Mouth closed',
      fix: 'Your mouth must be closed. Keep a neutral expression without showing your teeth.',
    },
  },
  Sharpness: {
    'zh-Hant-TW': {
      rule: '照片清晰',
      fix: '照片模糊。請拿穩相機、對焦在臉上，在光線充足的地方重新拍攝。',
    },
    en: {
      rule: 'Sharp photo',
      fix: 'The photo is blurred. Hold the camera steady, focus on the face and take it again in good light.',
    },
  },
  UnderExposurePrevention: {
    'zh-Hant-TW': {
      rule: '照片太暗',
      fix: '臉部太暗。請在光線充足、均勻的地方拍攝，光線從正面照在臉上。',
    },
    en: {
      rule: 'Photo too dark',
      fix: 'Your face is too dark. Take the photo in good, even light falling on your face from the front.',
    },
  },
  OverExposurePrevention: {
    'zh-Hant-TW': {
      rule: '照片過亮',
      fix: '臉部過亮、細節不見了。請避免強光或閃光燈直射，在柔和均勻的光線下拍攝。',
    },
    en: {
      rule: 'Photo too bright',
      fix: 'Your face is too bright and details are lost. Avoid harsh light or a direct flash; use soft, even light.',
    },
  },
  BackgroundUniformity: {
    'zh-Hant-TW': {
      rule: '背景素色',
      fix: '背景不是素色，有圖案、物品或陰影。請站在一面白色、沒有花紋的牆前拍攝，並與牆保持一點距離以免出現陰影。',
    },
    en: {
      rule: 'Plain background',
      fix: 'The background is not plain: it has patterns, objects or shadows. Stand in front of a plain white wall, a little away from it so no shadow falls on it.',
    },
  },
  BackgroundLuminance: {
    'zh-Hant-TW': {
      rule: '背景要白',
      fix: '背景太暗。請在白色背景前拍攝，並讓背景有充足的光線。',
    },
    en: {
      rule: 'White background',
      fix: 'The background is too dark. Use a white background and make sure it is well lit.',
    },
  },
  BackgroundColour: {
    'zh-Hant-TW': {
      rule: '背景顏色',
      fix: '背景有顏色。護照照片要用白色背景，請在白色牆面或白色布幕前拍攝。',
    },
    en: {
      rule: 'Background colour',
      fix: 'The background is coloured. A passport photo needs a white background: use a white wall or screen.',
    },
  },
  NaturalColour: {
    'zh-Hant-TW': {
      rule: '彩色照片',
      fix: '照片是黑白的。請上傳彩色照片，不要使用黑白或濾鏡效果。',
    },
    en: {
      rule: 'Colour photo',
      fix: 'The photo is black and white. Upload a colour photo without black-and-white or other filters.',
    },
  },
  'IdCard.FacePresent': {
    'zh-Hant-TW': {
      rule: '身分證上的相片',
      fix: '無法在身分證影像上找到相片。請上傳清楚、沒有反光的身分證正面影像。',
    },
    en: {
      rule: 'Portrait on the ID card',
      fix: 'We could not find the portrait on your ID card image. Upload a sharp image of the front of the card without glare.',
    },
  },
  generic: {
    'zh-Hant-TW': {
      rule: '護照照片規定',
      fix: '照片有一項規定不符合。請依護照照片規定重新拍攝：白色背景、正面、雙眼張開、嘴巴閉合。',
    },
    en: {
      rule: 'Passport photo rules',
      fix: 'Your photo does not meet one of the passport photo rules. Take a new photo: white background, facing the camera, eyes open, mouth closed.',
    },
  },
};

function isMessageKey(check: string): check is PhotoMessageKey {
  return Object.hasOwn(PHOTO_CHECK_MESSAGES, check);
}

/** The applicant message for a check name in a language; the generic message for any other name. */
export function photoCheckMessage(check: string, lang: PhotoMessageLang): PhotoCheckMessage {
  return PHOTO_CHECK_MESSAGES[isMessageKey(check) ? check : 'generic'][lang];
}

/** Message-table keys of the web page: `check.<name>` (how to fix) and `rule.<name>` (plain name). */
export type PhotoMessageTableKey = `check.${PhotoMessageKey}` | `rule.${PhotoMessageKey}`;

/** Every message of one language as `check.<name>` / `rule.<name>` entries, for a page's message table. */
export function photoMessageTable(lang: PhotoMessageLang): Record<PhotoMessageTableKey, string> {
  const table: Partial<Record<PhotoMessageTableKey, string>> = {};
  for (const key of Object.keys(PHOTO_CHECK_MESSAGES) as PhotoMessageKey[]) {
    const message = PHOTO_CHECK_MESSAGES[key][lang];
    table[`check.${key}`] = message.fix;
    table[`rule.${key}`] = message.rule;
  }
  return table as Record<PhotoMessageTableKey, string>;
}
