/** The checklist map cannot point at nothing: every proof exists, every check is used, every line is answered. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CHECKLIST } from '../../scripts/lib/preflight/checklist';
import { withChecklistMap } from '../../scripts/lib/preflight/checklist-markdown';
import { CHECKS } from '../../scripts/lib/preflight/checks';

const ROOT = path.resolve(__dirname, '..', '..');
const answers = CHECKLIST.flatMap((s) => s.lines.flatMap((l) => l.answers));

it('points every "built in" line at a test or document that exists', () => {
  const missing = answers.flatMap((a) => ('proof' in a && !existsSync(path.join(ROOT, a.proof)) ? [a.proof] : []));
  expect(missing).toEqual([]);
});

it('uses every check, and names only checks that exist', () => {
  const used = new Set(answers.flatMap((a) => ('check' in a ? [a.check] : [])));
  expect([...used].sort()).toEqual(Object.keys(CHECKS).sort());
});

it('answers every line of the ten sections and the final verification', () => {
  expect(CHECKLIST.map((s) => s.title)).toEqual([
    '1. API Keys Configuration',
    '2. Webhooks',
    '3. Security',
    '4. Error Handling',
    '5. Credits and Payments',
    '6. Monitoring and Observability',
    '7. Performance',
    '8. Testing',
    '9. Documentation',
    '10. Backup and Rollback',
    'Final Verification',
  ]);
  for (const line of CHECKLIST.flatMap((s) => s.lines)) expect(line.answers.length).toBeGreaterThan(0);
});

it('is the map docs/go-live.md shows (regenerate with `npm run preflight -- --write-docs`)', () => {
  const doc = readFileSync(path.join(ROOT, 'docs', 'go-live.md'), 'utf8');
  expect(withChecklistMap(doc)).toBe(doc);
  for (const text of CHECKLIST.flatMap((s) => s.lines.map((l) => l.text))) expect(doc).toContain(`| ${text} |`);
});
