/**
 * Message tables (Traditional Chinese first, English) and the small runtime that puts them on the
 * page. Static text lives in the HTML as `data-i18n="key"` on elements whose only content is that
 * text (the build fills in the Chinese so the page reads before any script runs); dynamic text is
 * set with `setText`, which remembers key and parameters so a language switch re-renders it.
 *
 * The language is kept in the URL (`?lang=en`) and in `localStorage` under `lang`, nothing else.
 *
 * The photo rules' names and advice come from the core (functions/core/photo-messages.ts), the one
 * place their wording lives.
 */

import { photoMessageTable } from '../../functions/core/photo-messages';

export const LANGS = ['zh-Hant-TW', 'en'] as const;
export type Lang = (typeof LANGS)[number];
export const DEFAULT_LANG: Lang = 'zh-Hant-TW';

const zh = {
  // Common
  'common.siteName': '護照線上預審',
  'common.skip': '跳到主要內容',
  'common.langSwitch': 'English',
  'common.langSwitchLabel': 'Switch to English',
  'common.noscript': '此頁面需要啟用 JavaScript。',
  'common.optional': '（選填）',
  'common.networkError': '無法連線到服務，請檢查網路後再試一次。',
  'common.serverError': '服務暫時無法處理您的要求，請稍後再試。',
  'common.busy': '目前使用人數較多，請稍候幾秒後再試一次。',
  'common.statusLink': '查詢申請進度',
  'common.formLink': '填寫新申請',
  'common.copy': '複製連結',
  'common.copied': '已複製連結。',
  'common.copyFailed': '無法自動複製，請手動選取連結。',

  // Form page
  'form.pageTitle': '護照線上預審申請 — 護照線上預審',
  'form.heading': '護照線上預審申請',
  'form.intro':
    '在家先填寫申請資料並上傳照片與身分證影像，系統會預先檢查照片是否符合規定。之後到櫃檯只需核對身分並繳費。標示為選填以外的欄位都必須填寫。',
  'form.type.legend': '申請類別',
  'form.type.FIRST': '首次申請',
  'form.type.RENEWAL': '換發護照（持有舊護照）',
  'form.type.LOST_REPLACEMENT': '護照遺失補發',
  'form.applicant.legend': '申請人資料',
  'form.nationalId': '國民身分證統一編號',
  'form.nationalId.hint': '1 個英文字母加 9 個數字，例如 A123456789。',
  'form.chineseName': '中文姓名',
  'form.chineseName.hint': '與戶籍資料相同。',
  'form.romanizedSurname': '外文姓氏',
  'form.romanizedSurname.hint': '護照上的英文拼音，例如 CHEN。',
  'form.romanizedGivenNames': '外文名字',
  'form.romanizedGivenNames.hint': '例如 MEI-LING。換發護照請與舊護照相同。',
  'form.sex': '性別',
  'form.sex.M': '男',
  'form.sex.F': '女',
  'form.dateOfBirth': '出生日期',
  'form.date.hint': '西元年-月-日，例如 1990-05-31，也可輸入 19900531。',
  'form.placeOfBirth': '出生地',
  'form.placeOfBirth.hint': '例如：臺北市。',
  'form.phone': '行動電話',
  'form.phone.hint': '例如 0912345678，或國際號碼 +886912345678。',
  'form.email': '電子郵件',
  'form.rep.legend': '法定代理人',
  'form.rep.intro': '申請人未滿 18 歲，須由法定代理人（父、母或監護人）同意。',
  'form.rep.shown': '申請人未滿 18 歲：下方已加入「法定代理人」欄位。',
  'form.rep.name': '法定代理人姓名',
  'form.rep.nationalId': '法定代理人身分證統一編號',
  'form.rep.relationship': '與申請人的關係',
  'form.rep.FATHER': '父',
  'form.rep.MOTHER': '母',
  'form.rep.GUARDIAN': '監護人',
  'form.rep.phone': '法定代理人行動電話',
  'form.choose': '請選擇',
  'form.prev.legendRenewal': '舊護照資料',
  'form.prev.legendLost': '遺失的護照',
  'form.prev.number': '舊護照號碼',
  'form.prev.numberLost': '遺失護照號碼（如知道）',
  'form.prev.number.hint': '9 位數字，在護照資料頁右上方。',
  'form.prev.issueDate': '舊護照發照日期（選填）',
  'form.prev.lostOn': '遺失日期',
  'form.submitter.legend': '送件人',
  'form.submitter.SELF': '本人申請',
  'form.submitter.AGENCY': '旅行社代辦',
  'form.submitter.RELATIVE': '親屬代辦',
  'form.agency.name': '旅行社名稱',
  'form.agency.registration': '旅行社註冊編號',
  'form.agency.registration.hint': '例如 交觀綜1234。',
  'form.relative.name': '代辦親屬姓名',
  'form.relative.nationalId': '代辦親屬身分證統一編號',
  'form.relative.relationship': '與申請人的關係',
  'form.relative.SPOUSE': '配偶',
  'form.relative.PARENT': '父母',
  'form.relative.CHILD': '子女',
  'form.relative.SIBLING': '兄弟姊妹',
  'form.relative.GRANDPARENT': '祖父母',
  'form.relative.OTHER': '其他親屬',
  'form.declaration.legend': '聲明與同意',
  'form.privacy.title': '個人資料告知事項',
  'form.privacy.purpose':
    '目的：僅用於本次護照申請的線上預審——核對申請資料、檢查照片是否符合護照照片規定，並把照片與身分證上的相片比對，供櫃檯承辦人員參考。最後是否核發，由承辦人員決定。',
  'form.privacy.retention':
    '保存：資料加密存放在暫存區，只保留到送交領事事務局為止，之後立即刪除；未完成的申請也會在期限到後自動刪除。',
  'form.privacy.deletion': '刪除日期會顯示在「申請進度」頁面。',
  'form.declaration.truthful': '我聲明以上填寫的資料均屬實。',
  'form.declaration.consent': '我已閱讀上述告知事項，同意依此處理我的個人資料。',
  'form.fee': '應繳規費：新臺幣 {fee} 元（未滿 14 歲為 900 元），於櫃檯繳納。',
  'form.submit': '送出申請',
  'form.submitting': '正在送出申請…',

  // Upload step
  'upload.heading': '上傳照片與身分證影像',
  'upload.pageTitle': '上傳照片 — 護照線上預審',
  'upload.received': '已收到您的申請。申請編號：',
  'upload.linkIntro': '請把下面的進度連結加入書籤或複製保存。任何拿到這個連結的人都能查看申請進度，請勿分享。',
  'upload.linkText': '申請進度頁面',
  'upload.deadline': '請在 {time} 前上傳兩個檔案，逾期申請會失效。',
  'upload.intro':
    '請上傳兩個檔案：護照照片，以及國民身分證正面的影像。都必須是 JPEG 或 PNG 格式。兩個檔案上傳完成後，會自動前往進度頁面。',
  'upload.photo.title': '護照照片',
  'upload.photo.hint': '6 個月內拍攝、白色素色背景、正面、雙眼張開、嘴巴閉合，不戴有色眼鏡或帽子。JPEG 或 PNG，最大 {mb} MB。',
  'upload.idCard.title': '國民身分證正面',
  'upload.idCard.hint': '整張身分證正面清楚可見，沒有反光。JPEG 或 PNG，最大 {mb} MB。',
  'upload.camera': '用相機拍攝',
  'upload.file': '選擇檔案',
  'upload.retry': '再試一次',
  'upload.waiting': '尚未上傳。',
  'upload.preparing': '正在準備上傳…',
  'upload.progress': '上傳中…',
  'upload.done': '已上傳：{name}。',
  'upload.allDone': '兩個檔案都已上傳，正在前往進度頁面…',
  'upload.err.type': '這個檔案不是 JPEG 或 PNG 圖片，請選擇 JPEG 或 PNG 檔案。',
  'upload.err.tooBig': '檔案太大（上限 {mb} MB），請選擇較小的檔案。',
  'upload.err.tooSmall': '檔案太小，不像是一張照片，請選擇其他檔案。',
  'upload.err.network': '上傳中斷，請檢查網路後按「再試一次」。',
  'upload.err.refused': '上傳未被接受（上傳授權可能已過期），請按「再試一次」。',
  'upload.err.server': '伺服器暫時無法接收檔案，請稍後按「再試一次」。',
  'upload.err.grant': '無法取得上傳授權，請稍後再試。',
  'upload.err.closed': '這份申請目前不能再上傳檔案。',

  // Status page
  'status.pageTitle': '申請進度 — 護照線上預審',
  'status.heading': '申請進度',
  'status.lookup.intro': '請輸入申請編號和查詢碼。兩者都在您送出申請後顯示的進度連結裡。',
  'status.lookup.id': '申請編號',
  'status.lookup.id.hint': '以 P 開頭，共 13 個字元。',
  'status.lookup.token': '查詢碼',
  'status.lookup.token.hint': '43 個字元的英數字串。',
  'status.lookup.submit': '查詢進度',
  'status.loading': '正在讀取申請進度…',
  'status.appNumber': '申請編號',
  'status.current': '目前狀態',
  'status.bookmark': '請把這個頁面加入書籤，之後可回來查看進度。任何拿到此連結的人都能查看進度，請勿分享。',
  'status.updated': '最後更新：{time}',
  'status.s.AWAITING_UPLOADS': '我們正在等待您上傳照片和身分證影像。',
  'status.s.SCANNING': '已收到您的檔案，正在做安全檢查。',
  'status.s.CHECKING': '正在檢查您的照片是否符合護照照片規定。',
  'status.s.VETTED': '預審已完成，正在把申請送交護照承辦單位。',
  'status.s.RELEASED': '您的申請已送達護照承辦單位。請帶著下列文件到櫃檯辦理。',
  'status.s.RETAKE_REQUESTED': '您的照片有一項規定不符合，請重新上傳照片。',
  'status.s.REJECTED': '有一個檔案無法接受，請重新上傳。',
  'status.s.EXPIRED': '檔案沒有在期限內上傳，這份申請已失效。請重新填寫申請。',
  'status.steps': '處理步驟',
  'status.step.uploaded': '檔案已上傳',
  'status.step.scanned': '安全檢查',
  'status.step.checked': '照片檢查',
  'status.step.sent': '送交承辦單位',
  'status.step.done': '（已完成）',
  'status.step.current': '（進行中）',
  'status.step.todo': '（尚未開始）',
  'status.step.action': '（需要您處理）',
  'status.uploads': '上傳的檔案',
  'status.slot.photo': '護照照片',
  'status.slot.idCard': '身分證影像',
  'status.slot.AWAITING': '尚未上傳',
  'status.slot.SCANNING': '已收到，檢查中',
  'status.slot.CLEAN': '已接受',
  'status.slot.REJECTED': '這個檔案無法接受，請重新上傳另一個 JPEG 或 PNG 檔案。',
  'status.verdict': '預審結果',
  'status.v.CLEAR': '預審通過：請到櫃檯的快速通道辦理。承辦人員仍會核對您的身分並收取規費。',
  'status.v.REVIEW': '請帶著下列文件到櫃檯，由承辦人員和您一起核對。',
  'status.v.RETAKE': '您的照片需要重拍。請依照下列說明拍一張新照片，再到下方「上傳的檔案」重新上傳。',
  'status.v.pending': '照片檢查完成後會在這裡顯示結果。',
  'status.fix': '需要修正的地方',
  'status.reupload': '重新上傳',
  'status.counter': '到櫃檯辦理',
  'status.fee': '規費：新臺幣 {fee} 元，於櫃檯繳納。',
  'status.bring': '請攜帶：',
  'status.bring.idCard': '國民身分證正本',
  'status.bring.passport': '舊護照（換發護照者）',
  'status.bring.rep': '法定代理人的國民身分證正本（申請人未滿 18 歲者）',
  'status.bring.number': '申請編號，或下方的 QR Code',
  'status.qr': '申請編號 {id} 的 QR Code',
  'status.deletion': '您的資料最遲會在 {time} 從本服務刪除。',
  'status.err.notFound': '找不到這份申請，或查詢碼不正確。請確認連結是否完整。',
  'status.err.retrying': '暫時無法取得最新進度，稍後會自動重試。',

  // Photo-rule names and advice: one source, functions/core/photo-messages.ts
  ...photoMessageTable('zh-Hant-TW'),

  // Validation messages (codes from functions/core/application.ts and zod's built-in codes)
  'errors.summaryTitle': '請修正以下問題：',
  'errors.titlePrefix': '錯誤：',
  'errors.server': '伺服器回報資料有誤，請修正以下問題：',
  'err.required': '此欄位必須填寫。',
  'err.requiredChoice': '請選擇一個選項。',
  'err.too_long': '內容太長。',
  'err.national_id_format': '身分證統一編號格式不正確：應為 1 個英文字母加 9 個數字。',
  'err.national_id_check_digit': '身分證統一編號的檢查碼不正確，請再確認一次。',
  'err.date_format': '請輸入正確的日期（年-月-日）。',
  'err.chinese_name_format': '中文姓名只能包含中文字（可含「·」），最多 12 個字。',
  'err.romanized_format': "只能使用英文字母、空格、連字號（-）或撇號（'），且以字母開頭和結尾。",
  'err.phone_format': '電話號碼格式不正確：請輸入 09 開頭的 10 位數手機號碼，或 + 開頭的國際號碼。',
  'err.email_format': '電子郵件格式不正確，例如 name@example.com。',
  'err.passport_number_format': '護照號碼應為 9 位數字。',
  'err.agency_registration_format': '旅行社註冊編號格式不正確，例如 交觀綜1234。',
  'err.must_accept': '請勾選此項才能送出。',
  'err.date_in_future': '日期不能晚於今天。',
  'err.date_too_old': '日期太早，請再確認一次。',
  'err.representative_required': '申請人未滿 18 歲，請填寫法定代理人資料。',
  'err.sex_mismatch_national_id': '性別與身分證統一編號不一致，請再確認一次。',
  'err.representative_is_applicant': '法定代理人不能是申請人本人。',
  'err.relative_is_applicant': '代辦親屬不能是申請人本人。',
  'err.application_id_format': '申請編號格式不正確：以 P 開頭，共 13 個字元。',
  'err.token_format': '查詢碼格式不正確：應為 43 個字元。',
  'err.invalid_type': '此欄位必須填寫。',
  'err.too_small': '內容太短或未填寫。',
  'err.too_big': '內容太長。',
  'err.invalid_format': '格式不正確。',
  'err.invalid_value': '請選擇有效的選項。',
  'err.invalid_union': '請選擇有效的選項。',
  'err.invalid_key': '資料有誤。',
  'err.invalid_element': '資料有誤。',
  'err.unrecognized_keys': '資料包含無法辨識的欄位。',
  'err.not_multiple_of': '數值不正確。',
  'err.custom': '資料有誤，請再確認一次。',
  'err.generic': '資料有誤，請再確認一次。',
} as const;

export type MessageKey = keyof typeof zh;

const en: Record<MessageKey, string> = {
  'common.siteName': 'Passport pre-review',
  'common.skip': 'Skip to main content',
  'common.langSwitch': '中文',
  'common.langSwitchLabel': '切換成中文',
  'common.noscript': 'This page needs JavaScript.',
  'common.optional': ' (optional)',
  'common.networkError': 'Could not reach the service. Check your connection and try again.',
  'common.serverError': 'The service cannot handle your request right now. Please try again later.',
  'common.busy': 'Many people are using the service. Please wait a few seconds and try again.',
  'common.statusLink': 'Check an application',
  'common.formLink': 'New application',
  'common.copy': 'Copy link',
  'common.copied': 'Link copied.',
  'common.copyFailed': 'Could not copy automatically; please select the link and copy it.',

  'form.pageTitle': 'Passport pre-review application — Passport pre-review',
  'form.heading': 'Passport pre-review application',
  'form.intro':
    'Fill in your application and upload your photo and ID card at home; your photo is checked against the rules before you come in. At the counter you then only need the identity check and the fee. All fields are required unless marked optional.',
  'form.type.legend': 'Type of application',
  'form.type.FIRST': 'First passport',
  'form.type.RENEWAL': 'Renewal (I have a previous passport)',
  'form.type.LOST_REPLACEMENT': 'Replacement of a lost passport',
  'form.applicant.legend': 'Applicant',
  'form.nationalId': 'National ID number',
  'form.nationalId.hint': 'One letter and nine digits, for example A123456789.',
  'form.chineseName': 'Name in Chinese characters',
  'form.chineseName.hint': 'As in the household register.',
  'form.romanizedSurname': 'Surname (romanized)',
  'form.romanizedSurname.hint': 'As printed in the passport, for example CHEN.',
  'form.romanizedGivenNames': 'Given names (romanized)',
  'form.romanizedGivenNames.hint': 'For example MEI-LING. For a renewal, the same as in your previous passport.',
  'form.sex': 'Sex',
  'form.sex.M': 'Male',
  'form.sex.F': 'Female',
  'form.dateOfBirth': 'Date of birth',
  'form.date.hint': 'Year-month-day, for example 1990-05-31 (or 19900531).',
  'form.placeOfBirth': 'Place of birth',
  'form.placeOfBirth.hint': 'For example: Taipei City.',
  'form.phone': 'Mobile phone',
  'form.phone.hint': 'For example 0912345678, or an international number such as +886912345678.',
  'form.email': 'Email',
  'form.rep.legend': 'Legal representative',
  'form.rep.intro': 'The applicant is under 18, so a legal representative (father, mother or guardian) must consent.',
  'form.rep.shown': 'The applicant is under 18: a “Legal representative” section has been added below.',
  'form.rep.name': 'Name of the legal representative',
  'form.rep.nationalId': 'National ID number of the legal representative',
  'form.rep.relationship': 'Relationship to the applicant',
  'form.rep.FATHER': 'Father',
  'form.rep.MOTHER': 'Mother',
  'form.rep.GUARDIAN': 'Guardian',
  'form.rep.phone': 'Mobile phone of the legal representative',
  'form.choose': 'Choose',
  'form.prev.legendRenewal': 'Previous passport',
  'form.prev.legendLost': 'Lost passport',
  'form.prev.number': 'Previous passport number',
  'form.prev.numberLost': 'Number of the lost passport (if known)',
  'form.prev.number.hint': 'Nine digits, top right of the data page.',
  'form.prev.issueDate': 'Date of issue of the previous passport (optional)',
  'form.prev.lostOn': 'Date the passport was lost',
  'form.submitter.legend': 'Who is submitting the application',
  'form.submitter.SELF': 'The applicant',
  'form.submitter.AGENCY': 'A travel agency',
  'form.submitter.RELATIVE': 'A relative',
  'form.agency.name': 'Name of the travel agency',
  'form.agency.registration': 'Registration number of the travel agency',
  'form.agency.registration.hint': 'For example 交觀綜1234.',
  'form.relative.name': 'Name of the relative',
  'form.relative.nationalId': 'National ID number of the relative',
  'form.relative.relationship': 'Relationship to the applicant',
  'form.relative.SPOUSE': 'Spouse',
  'form.relative.PARENT': 'Parent',
  'form.relative.CHILD': 'Child',
  'form.relative.SIBLING': 'Brother or sister',
  'form.relative.GRANDPARENT': 'Grandparent',
  'form.relative.OTHER': 'Other relative',
  'form.declaration.legend': 'Declaration and consent',
  'form.privacy.title': 'How we use your personal data',
  'form.privacy.purpose':
    'Purpose: only the pre-review of this passport application — checking the form, checking the photo against the passport photo rules, and comparing it with the photo on your ID card to help the counter clerk. The clerk makes the decision.',
  'form.privacy.retention':
    'Keeping: your data is stored encrypted in a temporary staging area only until it has been handed to the Bureau of Consular Affairs, and then deleted; unfinished applications are deleted automatically after a short period.',
  'form.privacy.deletion': 'The deletion date is shown on your application status page.',
  'form.declaration.truthful': 'I declare that the information above is true.',
  'form.declaration.consent': 'I have read the notice above and agree to my personal data being processed as described.',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a message placeholder, not a template literal
  'form.fee': 'Fee: NT${fee} (NT$900 under 14), paid at the counter.',
  'form.submit': 'Submit application',
  'form.submitting': 'Submitting your application…',

  'upload.heading': 'Upload your photo and ID card',
  'upload.pageTitle': 'Upload your photo — Passport pre-review',
  'upload.received': 'We have received your application. Application number:',
  'upload.linkIntro':
    'Bookmark or copy the status link below. Anyone with this link can see the status of your application, so do not share it.',
  'upload.linkText': 'Application status page',
  'upload.deadline': 'Please upload both files before {time}, or the application expires.',
  'upload.intro':
    'Upload two files: your passport photo, and an image of the front of your national ID card. Both must be JPEG or PNG. When both are uploaded you are taken to the status page.',
  'upload.photo.title': 'Passport photo',
  'upload.photo.hint':
    'Taken within the last 6 months, plain white background, facing the camera, eyes open, mouth closed, no tinted glasses or hat. JPEG or PNG, at most {mb} MB.',
  'upload.idCard.title': 'Front of your national ID card',
  'upload.idCard.hint': 'The whole front of the card, sharp and without glare. JPEG or PNG, at most {mb} MB.',
  'upload.camera': 'Take a photo',
  'upload.file': 'Choose a file',
  'upload.retry': 'Try again',
  'upload.waiting': 'Not uploaded yet.',
  'upload.preparing': 'Preparing the upload…',
  'upload.progress': 'Uploading…',
  'upload.done': 'Uploaded: {name}.',
  'upload.allDone': 'Both files are uploaded. Taking you to the status page…',
  'upload.err.type': 'This file is not a JPEG or PNG image. Please choose a JPEG or PNG file.',
  'upload.err.tooBig': 'The file is too large (at most {mb} MB). Please choose a smaller file.',
  'upload.err.tooSmall': 'The file is too small to be a photo. Please choose another file.',
  'upload.err.network': 'The upload was interrupted. Check your connection and select “Try again”.',
  'upload.err.refused': 'The upload was not accepted (the upload permission may have expired). Select “Try again”.',
  'upload.err.server': 'The server cannot take the file right now. Please select “Try again” in a moment.',
  'upload.err.grant': 'Could not get permission to upload. Please try again later.',
  'upload.err.closed': 'Files can no longer be uploaded for this application.',

  'status.pageTitle': 'Application status — Passport pre-review',
  'status.heading': 'Application status',
  'status.lookup.intro':
    'Enter your application number and status code. Both are in the status link you were shown after submitting your application.',
  'status.lookup.id': 'Application number',
  'status.lookup.id.hint': 'Starts with P, 13 characters.',
  'status.lookup.token': 'Status code',
  'status.lookup.token.hint': 'A string of 43 letters, digits, - and _.',
  'status.lookup.submit': 'Show status',
  'status.loading': 'Loading the status of your application…',
  'status.appNumber': 'Application number',
  'status.current': 'Current status',
  'status.bookmark':
    'Bookmark this page to come back to it. Anyone with this link can see the status of your application, so do not share it.',
  'status.updated': 'Last updated: {time}',
  'status.s.AWAITING_UPLOADS': 'We are waiting for your photo and ID card image.',
  'status.s.SCANNING': 'Your files have arrived and are being checked for safety.',
  'status.s.CHECKING': 'Your photo is being checked against the passport photo rules.',
  'status.s.VETTED': 'The pre-review is complete; your application is being sent to the passport office.',
  'status.s.RELEASED': 'Your application has reached the passport office. Come to the counter with the documents listed below.',
  'status.s.RETAKE_REQUESTED': 'Your photo does not meet one of the rules. Please upload a new photo.',
  'status.s.REJECTED': 'One of your files could not be accepted. Please upload another file.',
  'status.s.EXPIRED': 'The files were not uploaded in time, so this application has expired. Please fill in a new application.',
  'status.steps': 'Steps',
  'status.step.uploaded': 'Files uploaded',
  'status.step.scanned': 'Safety check',
  'status.step.checked': 'Photo check',
  'status.step.sent': 'Sent to the passport office',
  'status.step.done': ' (done)',
  'status.step.current': ' (in progress)',
  'status.step.todo': ' (not started)',
  'status.step.action': ' (needs your action)',
  'status.uploads': 'Your files',
  'status.slot.photo': 'Passport photo',
  'status.slot.idCard': 'ID card image',
  'status.slot.AWAITING': 'Not uploaded yet',
  'status.slot.SCANNING': 'Received, being checked',
  'status.slot.CLEAN': 'Accepted',
  'status.slot.REJECTED': 'This file could not be accepted, please upload another JPEG or PNG file.',
  'status.verdict': 'Pre-review result',
  'status.v.CLEAR':
    'Pre-review passed: use the fast lane at the counter. The clerk will still check your identity and take the fee.',
  'status.v.REVIEW': 'Please bring your documents to the counter; a clerk will check them with you.',
  'status.v.RETAKE':
    'Your photo needs to be retaken. Follow the advice below, take a new photo and upload it under “Your files” below.',
  'status.v.pending': 'The result is shown here once your photo has been checked.',
  'status.fix': 'What to fix',
  'status.reupload': 'Upload again',
  'status.counter': 'At the counter',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a message placeholder, not a template literal
  'status.fee': 'Fee: NT${fee}, paid at the counter.',
  'status.bring': 'Please bring:',
  'status.bring.idCard': 'Your national ID card (original)',
  'status.bring.passport': 'Your previous passport (for a renewal)',
  'status.bring.rep': 'Your legal representative’s national ID card (if you are under 18)',
  'status.bring.number': 'Your application number, or the QR code below',
  'status.qr': 'QR code of application number {id}',
  'status.deletion': 'Your data will be deleted from this service by {time} at the latest.',
  'status.err.notFound': 'We could not find this application, or the status code is wrong. Check that the link is complete.',
  'status.err.retrying': 'Could not get the latest status; retrying automatically.',

  ...photoMessageTable('en'),

  'errors.summaryTitle': 'Please fix the following:',
  'errors.titlePrefix': 'Error: ',
  'errors.server': 'The server found problems in your application. Please fix the following:',
  'err.required': 'This field is required.',
  'err.requiredChoice': 'Choose one option.',
  'err.too_long': 'This is too long.',
  'err.national_id_format': 'The national ID number must be one letter followed by nine digits.',
  'err.national_id_check_digit': 'The check digit of the national ID number is wrong. Please check the number.',
  'err.date_format': 'Enter a real date (year-month-day).',
  'err.chinese_name_format': 'The Chinese name may only contain Chinese characters (and “·”), at most 12.',
  'err.romanized_format': "Use only the letters A–Z, spaces, hyphens (-) and apostrophes ('), starting and ending with a letter.",
  'err.phone_format': 'Enter a 10-digit mobile number starting with 09, or an international number starting with +.',
  'err.email_format': 'Enter an email address like name@example.com.',
  'err.passport_number_format': 'The passport number is nine digits.',
  'err.agency_registration_format': 'The registration number looks wrong, for example 交觀綜1234.',
  'err.must_accept': 'You must tick this box to submit.',
  'err.date_in_future': 'The date cannot be in the future.',
  'err.date_too_old': 'The date is too far in the past. Please check it.',
  'err.representative_required': 'The applicant is under 18: fill in the legal representative.',
  'err.sex_mismatch_national_id': 'The sex does not match the national ID number. Please check both.',
  'err.representative_is_applicant': 'The legal representative cannot be the applicant.',
  'err.relative_is_applicant': 'The relative submitting the application cannot be the applicant.',
  'err.application_id_format': 'The application number starts with P and has 13 characters.',
  'err.token_format': 'The status code has 43 characters.',
  'err.invalid_type': 'This field is required.',
  'err.too_small': 'This is too short or empty.',
  'err.too_big': 'This is too long.',
  'err.invalid_format': 'The format is not valid.',
  'err.invalid_value': 'Choose a valid option.',
  'err.invalid_union': 'Choose a valid option.',
  'err.invalid_key': 'This value is not valid.',
  'err.invalid_element': 'This value is not valid.',
  'err.unrecognized_keys': 'The data contains fields we do not recognise.',
  'err.not_multiple_of': 'This number is not valid.',
  'err.custom': 'This value is not valid. Please check it.',
  'err.generic': 'This value is not valid. Please check it.',
};

export const MESSAGES: Readonly<Record<Lang, Readonly<Record<MessageKey, string>>>> = { 'zh-Hant-TW': zh, en };

export type Params = Readonly<Record<string, string | number>>;

function isLang(v: string | null | undefined): v is Lang {
  return v === 'zh-Hant-TW' || v === 'en';
}

/** Accepts `en`, `zh`, `zh-TW`, `zh-Hant-TW` from the URL. */
function parseLang(v: string | null): Lang | null {
  if (!v) return null;
  if (isLang(v)) return v;
  if (/^en\b/i.test(v)) return 'en';
  if (/^zh\b/i.test(v)) return 'zh-Hant-TW';
  return null;
}

function storedLang(): Lang | null {
  try {
    return parseLang(localStorage.getItem('lang'));
  } catch {
    return null;
  }
}

let current: Lang = DEFAULT_LANG;
const listeners: ((lang: Lang) => void)[] = [];

export function lang(): Lang {
  return current;
}

export function isMessageKey(key: string): key is MessageKey {
  // Every key has a dot, so nothing inherited from Object.prototype can match.
  return key in zh;
}

export function t(key: MessageKey, params?: Params, inLang: Lang = current): string {
  const text = MESSAGES[inLang][key];
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/** Sets an element's text from a message key and remembers it, so a language switch re-renders it. */
export function setText(el: HTMLElement, key: MessageKey, params?: Params): void {
  el.dataset.i18n = key;
  if (params) el.dataset.i18nParams = JSON.stringify(params);
  else delete el.dataset.i18nParams;
  const text = t(key, params);
  if (el.textContent !== text) el.textContent = text;
}

function paramsOf(el: HTMLElement): Params | undefined {
  const raw = el.dataset.i18nParams;
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as Params;
  } catch {
    return undefined;
  }
}

/**
 * Re-renders every `data-i18n` element under `root`, and `data-i18n-label` (aria-label) attributes.
 */
export function translate(root: ParentNode = document): void {
  for (const el of root.querySelectorAll<HTMLElement>('[data-i18n]')) {
    const key = el.dataset.i18n;
    if (key && isMessageKey(key)) {
      const text = t(key, paramsOf(el));
      if (el.textContent !== text) el.textContent = text;
    }
  }
  for (const el of root.querySelectorAll<HTMLElement>('[data-i18n-label]')) {
    const key = el.dataset.i18nLabel;
    if (key && isMessageKey(key)) el.setAttribute('aria-label', t(key, paramsOf(el)));
  }
}

/** Keeps the language in the URL's query (never the fragment, which holds the status token). */
function writeLangToUrl(l: Lang): void {
  const url = new URL(location.href);
  if (l === DEFAULT_LANG) url.searchParams.delete('lang');
  else url.searchParams.set('lang', 'en');
  history.replaceState(history.state, '', url);
}

export function setLang(l: Lang): void {
  current = l;
  try {
    localStorage.setItem('lang', l);
  } catch {
    // storage disabled: the URL still carries the language
  }
  writeLangToUrl(l);
  document.documentElement.lang = l;
  translate(document);
  for (const cb of listeners) cb(l);
}

export function onLangChange(cb: (lang: Lang) => void): void {
  listeners.push(cb);
}

/** Adds `?lang=en` to a same-site link when English is on, so the next page opens in the same language. */
export function withLang(href: string): string {
  if (current === DEFAULT_LANG) return href;
  const hashAt = href.indexOf('#');
  const base = hashAt >= 0 ? href.slice(0, hashAt) : href;
  const hash = hashAt >= 0 ? href.slice(hashAt) : '';
  return `${base}${base.includes('?') ? '&' : '?'}lang=en${hash}`;
}

/**
 * Picks the language (URL, then `localStorage`, then Traditional Chinese), renders the page in it
 * and wires the switch button (`#lang-switch`).
 */
export function initI18n(): void {
  current = parseLang(new URL(location.href).searchParams.get('lang')) ?? storedLang() ?? DEFAULT_LANG;
  document.documentElement.lang = current;
  translate(document);
  const button = document.getElementById('lang-switch');
  if (button instanceof HTMLButtonElement) {
    const render = () => {
      const other: Lang = current === 'en' ? 'zh-Hant-TW' : 'en';
      // The button names the other language in that language.
      button.lang = other;
      button.textContent = t('common.langSwitch');
      button.setAttribute('aria-label', t('common.langSwitchLabel'));
    };
    render();
    onLangChange(render);
    button.addEventListener('click', () => setLang(current === 'en' ? 'zh-Hant-TW' : 'en'));
  }
}

/** Application-specific message codes (the `message` of a zod issue or of a server issue). */
const APP_CODES = new Set<string>([
  'required',
  'too_long',
  'national_id_format',
  'national_id_check_digit',
  'date_format',
  'chinese_name_format',
  'romanized_format',
  'phone_format',
  'email_format',
  'passport_number_format',
  'agency_registration_format',
  'must_accept',
  'date_in_future',
  'date_too_old',
  'representative_required',
  'sex_mismatch_national_id',
  'representative_is_applicant',
  'relative_is_applicant',
  'application_id_format',
  'token_format',
]);

/** zod's built-in issue codes (zod 4). */
const ZOD_CODES = new Set<string>([
  'invalid_type',
  'too_small',
  'too_big',
  'invalid_format',
  'invalid_value',
  'invalid_union',
  'invalid_key',
  'invalid_element',
  'unrecognized_keys',
  'not_multiple_of',
  'custom',
]);

/** The message key for an issue: our stable code (in `message`) first, then zod's code, then a fallback. */
export function errorKey(message: string | undefined, code: string | undefined): MessageKey {
  if (message && APP_CODES.has(message)) return `err.${message}` as MessageKey;
  if (code && APP_CODES.has(code)) return `err.${code}` as MessageKey;
  if (code && ZOD_CODES.has(code)) return `err.${code}` as MessageKey;
  return 'err.generic';
}

/** The how-to-fix message key for a photo-rule check name. */
export function checkKey(check: string): MessageKey {
  const key = `check.${check}`;
  return isMessageKey(key) ? key : 'check.generic';
}

/** The plain name of a photo rule, for a check name. */
export function ruleKey(check: string): MessageKey {
  const key = `rule.${check}`;
  return isMessageKey(key) ? key : 'rule.generic';
}

export function formatDateTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(current === 'en' ? 'en-GB' : 'zh-TW', {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone: 'Asia/Taipei',
  }).format(d);
}

export function formatNumber(n: number): string {
  return new Intl.NumberFormat(current === 'en' ? 'en' : 'zh-TW').format(n);
}
