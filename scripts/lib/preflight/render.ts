/** The report as the checklist itself, section by section, or as JSON for CI. */
import type { LineReport, PreflightReport } from './types';

const ICON: Readonly<Record<LineReport['status'], string>> = { pass: '✅', fail: '❌', warn: '⚠ ', skip: '➖', kit: '✅', byHand: '☐ ' };
const LABEL: Readonly<Record<LineReport['status'], string>> = { pass: 'checked', fail: 'FAILED', warn: 'warning', skip: 'not applicable here', kit: 'built in', byHand: 'confirm by hand' };

export function renderText(report: PreflightReport): string {
  const out: string[] = [`MONCRENEAU production checklist — ${report.target} — ${report.at}`];
  let section = '';
  for (const line of report.lines) {
    if (line.section !== section) {
      section = line.section;
      out.push('', section);
    }
    out.push(`${ICON[line.status]} ${line.text}`);
    for (const r of line.results) {
      out.push(`     ${LABEL[r.status]}${r.check ? ` [${r.check}]` : ''}: ${r.detail}`);
      if (r.fix) out.push(`       fix: ${r.fix}`);
    }
  }
  const byHand = report.lines.flatMap((l) => l.results.filter((r) => r.status === 'byHand').map((r) => `  ☐ ${l.text}: ${r.detail}`));
  if (byHand.length) out.push('', 'To confirm by hand:', ...byHand);
  const s = report.summary;
  out.push(
    '',
    `${report.lines.length} lines: ${s.pass} checked ✅, ${s.kit} built in ✅, ${s.fail} failed ❌, ${s.warn} warnings ⚠, ${s.skip} not applicable here, ${s.byHand} to confirm by hand.`,
    report.ok ? 'Preflight passed.' : 'Preflight FAILED: fix the ❌ lines above.',
  );
  return out.join('\n');
}

export function renderJson(report: PreflightReport): string {
  return JSON.stringify(report, null, 2);
}
