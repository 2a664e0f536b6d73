/** The pure parts of publishing: references as users type them, SPDX licence expressions, artifact manifests. */
import test from 'ava';
import { parseReference, isLoopbackRegistry } from '../src/publish/oci/reference.ts';
import { spdxExpressionProblem } from '../src/publish/license.ts';
import { referrersIndex, safeTitle } from '../src/publish/oci/artifact.ts';
import { isJhError } from '../src/errors.ts';

test('references: registry, repository, tag and digest; latest by default; bad names refused with the part named', (t) => {
  t.deepEqual(parseReference('oci://registry.example:5000/team/jailhouse:qemu-arm64'), { registry: 'registry.example:5000', repository: 'team/jailhouse', tag: 'qemu-arm64', digest: undefined });
  t.deepEqual(parseReference('localhost/a/b'), { registry: 'localhost', repository: 'a/b', tag: 'latest', digest: undefined });
  const digest = `sha256:${'a'.repeat(64)}`;
  t.deepEqual(parseReference(`127.0.0.1:5000/x@${digest}`), { registry: '127.0.0.1:5000', repository: 'x', tag: undefined, digest });
  for (const [text, why] of [['team/jailhouse:v1', /no registry host/], ['r.example/Team/x', /invalid part "Team"/], ['r.example/x:-bad', /not a valid tag/],
    ['r.example/x@sha256:zz', /not a sha256 digest/], ['r.example/a//b', /invalid part ""/]] as const) {
    const error = t.throws(() => parseReference(text));
    t.true(isJhError(error));
    t.regex(error!.message, why, text);
  }
  t.true(isLoopbackRegistry('127.0.0.1:5000'));
  t.true(isLoopbackRegistry('localhost:5000'));
  t.true(isLoopbackRegistry('[::1]:5000'));
  t.false(isLoopbackRegistry('registry.example:5000'));
});

test('SPDX expressions: ids, LicenseRef-, +, WITH, AND/OR and parentheses pass; malformed ones say where', (t) => {
  for (const ok of ['GPL-2.0-only', 'MIT OR Apache-2.0', 'GPL-2.0+ WITH Linux-syscall-note', '(MIT AND BSD-3-Clause) OR LicenseRef-NXP-EULA', 'gpl-2.0-only or mit']) {
    t.is(spdxExpressionProblem(ok), undefined, ok);
  }
  t.regex(spdxExpressionProblem('MIT OR')!, /ends where a licence was expected/);
  t.regex(spdxExpressionProblem('(MIT')!, /unclosed parenthesis/);
  t.regex(spdxExpressionProblem('MIT Apache-2.0')!, /"Apache-2.0" after a complete expression/);
  t.regex(spdxExpressionProblem('GPL v2')!, /"v2" after/);
  t.regex(spdxExpressionProblem('')!, /is empty/);
  t.regex(spdxExpressionProblem('MIT WITH')!, /WITH without an exception/);
});

test('artifact helpers: the referrers index keeps one entry per digest; titles cannot escape the folder', (t) => {
  const a = { mediaType: 'm', digest: 'sha256:a', size: 1, artifactType: 'x' };
  const b = { mediaType: 'm', digest: 'sha256:b', size: 2, artifactType: 'y' };
  const index = JSON.parse(referrersIndex([a], [a, b]).toString()) as { manifests: unknown[] };
  t.deepEqual(index.manifests, [a, b]);
  t.is(safeTitle('cells/linux.cell'), 'cells/linux.cell');
  for (const bad of ['/etc/passwd', '../x', 'a/../../b', 'a//b', '', undefined, 'a\\b']) t.is(safeTitle(bad), undefined, String(bad));
});
