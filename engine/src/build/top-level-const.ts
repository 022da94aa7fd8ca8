/**
 * esbuild turns every top-level `const` of a bundle into `var` (its FAQ: "top-level var"), and
 * V8 then treats each one as a mutable module variable: a symbol like EVENT_TIME or a constant
 * like NONE is loaded and checked at every use in optimized code instead of being folded in.
 * Measured on keyed YSB on one thread (8 pairs, same run): the bundle spent 17 % more CPU per
 * event than the same bundle with its never-assigned top-level vars made const again
 * (docs/engine-bundle.md). This puts `const` back where that is safe: a top-level `var` whose
 * every declarator has an initializer and whose names are never assigned anywhere in the file
 * (any scope: a shadowing local's assignment also keeps it a var). Use before initialization
 * then throws, as the unbundled ES modules (what the tests and `pnpm sluice` run) do.
 *
 * `var X = ` becomes `const X=`: the same length, so the source map stays exact.
 */
import type TS from 'typescript';

export function constTopLevel(code: string, ts: typeof TS): { code: string; converted: number } {
  const file = ts.createSourceFile('bundle.js', code, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  const assigned = assignedNames(file, ts);
  const declaredTwice = new Set<string>();
  const seen = new Set<string>();
  for (const s of file.statements)
    if (ts.isVariableStatement(s))
      for (const d of s.declarationList.declarations)
        if (ts.isIdentifier(d.name)) {
          if (seen.has(d.name.text)) declaredTwice.add(d.name.text);
          seen.add(d.name.text);
        }
  const edits: number[] = [];
  for (const s of file.statements) {
    if (!ts.isVariableStatement(s)) continue;
    const list = s.declarationList;
    if ((list.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const)) !== 0) continue;
    const d = list.declarations;
    // One declarator a statement is what esbuild writes; `var a = 1, b = 2` is left alone.
    if (d.length !== 1) continue;
    const name = d[0]!.name;
    if (!ts.isIdentifier(name) || d[0]!.initializer === undefined) continue;
    if (assigned.has(name.text) || declaredTwice.has(name.text)) continue;
    const at = list.getStart(file);
    const head = `var ${name.text} = `;
    if (code.startsWith(head, at)) edits.push(at);
  }
  let out = '';
  let last = 0;
  for (const at of edits) {
    const name = /^var ([^ ]+) = /.exec(code.slice(at, at + 300))![1]!;
    out += `${code.slice(last, at)}const ${name}=`;
    last = at + `var ${name} = `.length;
  }
  return { code: out + code.slice(last), converted: edits.length };
}

/** Every identifier the file assigns to, in any scope: `x =`, `x += ...`, `x++`, destructuring, for-in/of targets. */
function assignedNames(file: TS.SourceFile, ts: typeof TS): Set<string> {
  const out = new Set<string>();
  const targets = (n: TS.Node): void => {
    if (ts.isIdentifier(n)) out.add(n.text);
    else if (ts.isPropertyAccessExpression(n) || ts.isElementAccessExpression(n)) return;
    else n.forEachChild(targets);
  };
  const visit = (n: TS.Node): void => {
    if (
      ts.isBinaryExpression(n) &&
      n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
      n.operatorToken.kind <= ts.SyntaxKind.LastAssignment
    )
      targets(n.left);
    else if (
      (ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) &&
      (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken)
    )
      targets(n.operand);
    else if ((ts.isForInStatement(n) || ts.isForOfStatement(n)) && !ts.isVariableDeclarationList(n.initializer)) targets(n.initializer);
    n.forEachChild(visit);
  };
  visit(file);
  return out;
}
