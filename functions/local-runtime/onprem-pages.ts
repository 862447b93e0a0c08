/**
 * What the counter sees (read-only): the inbox of released records, looked up by application
 * number, with the photo, the ID card, the findings and the verdict. Server-rendered, no script.
 * In production this is the office's own system; here it shows what the poller filed.
 */
import type { InboxEntry } from '../onprem/inbox';

const esc = (v: unknown) =>
  String(v ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

function page(title: string, body: string): string {
  return `<!doctype html><html lang="zh-Hant-TW"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>
body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem;color:#1a1a1a}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #999;padding:.3rem .5rem;text-align:left}
.CLEAR{color:#05620a;font-weight:bold}.REVIEW{color:#8a4b00;font-weight:bold}.fail{color:#a00000}
img{max-width:100%;border:1px solid #666}.images{display:flex;gap:1rem;flex-wrap:wrap}.images figure{margin:0;flex:1 1 16rem}
a{color:#0645ad}</style></head><body>${body}</body></html>`;
}

export function renderInboxList(entries: readonly InboxEntry[], query: string): string {
  const rows = entries
    .map(
      (e) =>
        `<tr><td><a href="/onprem/${esc(e.applicationId)}">${esc(e.applicationId)}</a></td><td>${esc(e.record.application.applicant.chineseName)}</td><td class="${esc(e.record.verdict.outcome)}">${esc(e.record.verdict.outcome)}</td><td>${esc(e.record.releasedAt)}</td></tr>`,
    )
    .join('');
  return page(
    '櫃台預審收件匣 Counter inbox',
    `<h1>櫃台預審收件匣 <span lang="en">Counter inbox</span></h1>
<form method="get" action="/onprem"><label for="q">申請編號 <span lang="en">Application number</span></label>
<input id="q" name="applicationId" value="${esc(query)}" autocomplete="off"> <button>查詢 <span lang="en">Find</span></button></form>
<table><caption>${entries.length} 筆 <span lang="en">records</span></caption><thead><tr><th scope="col">申請編號</th><th scope="col">姓名</th><th scope="col">預審結果</th><th scope="col">送達時間</th></tr></thead><tbody>${rows}</tbody></table>`,
  );
}

export function renderInboxEntry(e: InboxEntry): string {
  const { record } = e;
  const a = record.application;
  const findings = record.findings
    .map(
      (f) =>
        `<tr><td>${esc(f.check)}</td><td class="${esc(f.result)}">${esc(f.result)}</td><td>${esc(f.value)}</td><td>${esc(f.threshold)}</td></tr>`,
    )
    .join('');
  const field = (label: string, value: unknown) => `<tr><th scope="row">${esc(label)}</th><td>${esc(value)}</td></tr>`;
  return page(
    `${e.applicationId} — 預審`,
    `<p><a href="/onprem">← 收件匣 Inbox</a></p>
<h1>${esc(e.applicationId)}</h1>
<p>預審結果 <span lang="en">Pre-review</span>: <span class="${esc(record.verdict.outcome)}">${esc(record.verdict.outcome)}</span>
${record.verdict.reasons.length ? `(${record.verdict.reasons.map(esc).join(', ')})` : ''} · 規費 NT$${esc(record.fee)}</p>
<div class="images"><figure><img src="/onprem/${esc(e.applicationId)}/photo.jpg" alt="申請人照片 applicant photo"><figcaption>照片 Photo</figcaption></figure>
<figure><img src="/onprem/${esc(e.applicationId)}/id-card.jpg" alt="身分證掃描 ID card scan"><figcaption>身分證 ID card</figcaption></figure></div>
<h2>申請資料 <span lang="en">Application</span></h2><table><tbody>
${field('申請類別 Type', a.applicationType)}${field('身分證字號 National ID', a.applicant.nationalId)}${field('中文姓名 Name', a.applicant.chineseName)}
${field('外文姓名 Romanized', `${a.applicant.romanizedSurname}, ${a.applicant.romanizedGivenNames}`)}${field('性別 Sex', a.applicant.sex)}
${field('出生日期 Born', a.applicant.dateOfBirth)}${field('出生地 Place of birth', a.applicant.placeOfBirth)}
${field('電話 Phone', a.applicant.phone)}${field('Email', a.applicant.email)}
${field('送件人 Submitted by', a.submitter.kind)}${a.legalRepresentative ? field('法定代理人 Representative', `${a.legalRepresentative.name} (${a.legalRepresentative.relationship})`) : ''}
${a.previousPassport ? field('舊護照 Previous passport', `${a.previousPassport.number ?? '—'} ${a.previousPassport.lostOn ? `lost ${a.previousPassport.lostOn}` : ''}`) : ''}
</tbody></table>
<h2>檢查結果 <span lang="en">Findings</span></h2><table><thead><tr><th scope="col">Check</th><th scope="col">Result</th><th scope="col">Value</th><th scope="col">Threshold</th></tr></thead><tbody>${findings}</tbody></table>
<p>簽章掃描 Signature scan: photo ${esc(record.scan.photo)}, ID card ${esc(record.scan.idCard)} · 保存至 Keep until ${esc(record.retainUntil)}</p>`,
  );
}
