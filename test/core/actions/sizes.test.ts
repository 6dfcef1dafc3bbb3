import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../support/fixtures.ts';

/**
 * The action code stays readable by addition: no file under `functions/core/actions` over 300
 * lines and no function over 80, unless the file says why in its first lines
 * (`// Long: <reason>`). `npx vitest run test/core/actions/sizes.test.ts` prints the largest.
 */

const ACTIONS_DIR = path.join(REPO_ROOT, 'functions', 'core', 'actions');
const MAX_FILE_LINES = 300;
const MAX_FUNCTION_LINES = 80;
const REASON = /^\/\/ Long: \S/m;

interface Measured {
  readonly file: string;
  readonly lines: number;
  readonly functions: readonly { readonly name: string; readonly lines: number }[];
  readonly reason: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** The name a function is known by: its own, its variable's, its property's or its method's. */
function nameOf(node: ts.Node, source: ts.SourceFile): string {
  const named = node as { name?: ts.Node };
  if (named.name !== undefined) return named.name.getText(source);
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) return parent.name.getText(source);
  return `(anonymous, line ${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1})`;
}

function measure(file: string): Measured {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const functions: { name: string; lines: number }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      functions.push({ name: nameOf(node, source), lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  const head = text.split('\n').slice(0, 5).join('\n');
  return {
    file: path.relative(REPO_ROOT, file),
    lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0),
    functions,
    reason: REASON.test(head),
  };
}

describe('action code sizes', () => {
  const measured = sourceFiles(ACTIONS_DIR).map(measure);

  it('keeps every file under 300 lines and every function under 80, or says why', () => {
    // Act
    const tooLong = measured
      .filter((m) => !m.reason)
      .flatMap((m) => [
        ...(m.lines > MAX_FILE_LINES ? [`${m.file}: ${m.lines} lines`] : []),
        ...m.functions
          .filter((f) => f.lines > MAX_FUNCTION_LINES)
          .map((f) => `${m.file}: ${f.name} is ${f.lines} lines`),
      ]);

    // Assess
    const largestFiles = [...measured].sort((a, b) => b.lines - a.lines).slice(0, 5);
    const largestFunctions = measured
      .flatMap((m) => m.functions.map((f) => ({ ...f, file: m.file })))
      .sort((a, b) => b.lines - a.lines)
      .slice(0, 5);
    console.info(
      `largest files: ${largestFiles.map((m) => `${m.file} ${m.lines}${m.reason ? ' (reason given)' : ''}`).join(', ')}\n` +
        `largest functions: ${largestFunctions.map((f) => `${f.file} ${f.name} ${f.lines}`).join(', ')}`,
    );
    expect(tooLong).toEqual([]);
  });
});
