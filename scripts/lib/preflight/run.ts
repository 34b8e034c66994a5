/**
 * Runs each check the checklist names once (in parallel, each bounded in time, a thrown error becoming
 * a failed check), then answers the checklist line by line.
 */
import { CHECKLIST } from './checklist';
import { CHECKS } from './checks';
import type { CheckContext } from './checks/context';
import { fail, type CheckId, type CheckResult, type ChecklistSection, type LineReport, type PreflightReport, type Status } from './types';

const CHECK_TIMEOUT_MS = 60_000;
const SEVERITY: ReadonlyArray<LineReport['status']> = ['fail', 'warn', 'pass', 'skip', 'kit', 'byHand'];

async function runCheck(id: CheckId, context: CheckContext): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => resolve(fail(`no answer within ${CHECK_TIMEOUT_MS / 1000} s`, 'check the network path to the stage')), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([CHECKS[id](context), timeout]);
  } catch (error) {
    // SDK and network errors name what failed; they carry no secret value.
    return fail(`could not check: ${(error as Error).message}`, 'check the credentials and the stage name');
  } finally {
    clearTimeout(timer);
  }
}

function lineStatus(statuses: ReadonlyArray<LineReport['status']>): LineReport['status'] {
  const checked = statuses.filter((s): s is Status => s === 'pass' || s === 'fail' || s === 'warn' || s === 'skip');
  // A line proven by the kit and not applicable here is still proven by the kit.
  const pool = checked.length && checked.every((s) => s === 'skip') && statuses.includes('kit') ? ['kit' as const] : statuses;
  return [...pool].sort((a, b) => SEVERITY.indexOf(a) - SEVERITY.indexOf(b))[0] ?? 'kit';
}

export async function runPreflight(context: CheckContext, checklist: readonly ChecklistSection[] = CHECKLIST): Promise<PreflightReport> {
  const ids = [...new Set(checklist.flatMap((s) => s.lines.flatMap((l) => l.answers.flatMap((a) => ('check' in a ? [a.check] : [])))))];
  const results = new Map<CheckId, CheckResult>(await Promise.all(ids.map(async (id) => [id, await runCheck(id, context)] as const)));
  const lines: LineReport[] = checklist.flatMap((section) =>
    section.lines.map((line) => {
      const answered = line.answers.map((answer) => {
        if ('check' in answer) return { check: answer.check, ...results.get(answer.check)! };
        if ('kit' in answer) return { status: 'kit' as const, detail: `${answer.kit} (${answer.proof})` };
        return { status: 'byHand' as const, detail: answer.byHand };
      });
      return { section: section.title, text: line.text, status: lineStatus(answered.map((a) => a.status)), results: answered };
    }),
  );
  const summary = { pass: 0, fail: 0, warn: 0, skip: 0, kit: 0, byHand: 0 };
  for (const line of lines) {
    if (line.status !== 'byHand') summary[line.status]++;
    if (line.results.some((r) => r.status === 'byHand')) summary.byHand++;
  }
  return { target: context.probe.label, at: context.now().toISOString(), lines, summary, ok: summary.fail === 0 };
}
