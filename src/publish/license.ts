/** SPDX licence expressions (SPDX 2.3 annex D), checked for form: ids, LicenseRef-, AND/OR/WITH, parentheses. Pure. */

const ID = /^(?:DocumentRef-[A-Za-z0-9.-]+:)?(?:LicenseRef-)?[A-Za-z0-9][A-Za-z0-9.-]*\+?$/;

/** Returns why `text` is not an SPDX expression, or undefined when it is one. */
export function spdxExpressionProblem(text: string): string | undefined {
  const tokens = text.replace(/[()]/g, ' $& ').trim().split(/\s+/).filter(Boolean);
  let at = 0;
  const peek = () => tokens[at];
  const isOp = (t: string | undefined, ...ops: string[]) => t !== undefined && ops.includes(t.toUpperCase());
  const term = (): string | undefined => {
    const t = tokens[at++];
    if (t === undefined) return 'ends where a licence was expected';
    if (t === '(') {
      const inner = expression();
      if (inner) return inner;
      if (tokens[at++] !== ')') return 'has an unclosed parenthesis';
      return undefined;
    }
    if (isOp(t, 'AND', 'OR', 'WITH') || t === ')' || !ID.test(t)) return `has "${t}" where a licence id was expected`;
    if (isOp(peek(), 'WITH')) {
      at++;
      const exception = tokens[at++];
      if (exception === undefined || !ID.test(exception)) return 'has WITH without an exception id';
    }
    return undefined;
  };
  const expression = (): string | undefined => {
    const first = term();
    if (first) return first;
    while (isOp(peek(), 'AND', 'OR')) {
      at++;
      const next = term();
      if (next) return next;
    }
    return undefined;
  };
  if (tokens.length === 0) return 'is empty';
  const problem = expression();
  if (problem) return problem;
  return at < tokens.length ? `has "${tokens[at]}" after a complete expression` : undefined;
}
