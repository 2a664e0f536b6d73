/** The fault corpus: every class caught with its own code and the place named; a valid config is clean. */
import test from 'ava';
import { checkConfigs, formatFinding } from '../src/cells/check/index.ts';
import { FAULTS, validSample } from './fixtures/faults.ts';

test('the valid sample produces no finding', (t) => {
  const s = validSample();
  t.deepEqual(checkConfigs(s.system, s.cells, s.options), []);
});

test('the corpus covers at least 15 distinct fault classes', (t) => {
  t.true(new Set(FAULTS.map((f) => f.code)).size >= 15);
});

for (const fault of FAULTS) {
  test(`${fault.code}: ${fault.what}`, (t) => {
    const s = validSample();
    fault.apply(s);
    const findings = checkConfigs(s.system, s.cells, s.options);
    const mine = findings.filter((f) => f.code === fault.code);
    t.true(mine.length > 0, `expected ${fault.code}, got ${findings.map((f) => f.code).join(', ') || 'nothing'}`);
    const finding = mine[0]!;
    t.is(finding.cell, fault.cell);
    if (fault.region !== undefined) t.is(finding.region, fault.region);
    const text = formatFinding(finding);
    t.true(text.includes(fault.cell), text);
    if (fault.region !== undefined) t.regex(text, new RegExp(`region ${fault.region}\\b`));
    t.regex(text, /fix: \S/);
    t.deepEqual([...new Set(findings.map((f) => f.code))].filter((c) => !(fault.also ?? []).includes(c)), [fault.code], 'one fault, one code');
  });
}
