import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { defaultPlaybooksDir, PLAYBOOKS_DIR } from '#core/playbooks/registry.ts';

/**
 * Type-checks playbooks (and their tests) with the TypeScript compiler, the way `tsc` would
 * with the project's `tsconfig.json`, so that a mistyped context path or a value of the wrong
 * type stops `riposte playbooks check` and `riposte run` with the compiler's message at
 * `file:line:col`.
 *
 * The compiler costs seconds, so results are cached by content: an entry records the SHA-256
 * of every project file the program read (playbooks, the SDK, actions...) and of the
 * lockfile for everything under node_modules, and is reused while none of them changed.
 *
 * @example
 * const problems = await typeCheck(projectRoot, playbookFiles(projectRoot));
 * for (const p of problems) console.error(formatTypeProblem(p));
 */

/** One compiler error, its file relative to the project root. */
export interface TypeProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly code: number;
  readonly message: string;
}

interface CacheEntry {
  /** Project-relative path → SHA-256 of the content the compiler read. */
  readonly inputs: Readonly<Record<string, string>>;
  readonly problems: readonly TypeProblem[];
}

interface CacheFile {
  readonly version: 1;
  readonly entries: Readonly<Record<string, CacheEntry>>;
}

const CACHE_VERSION = 1;
/** Packages the checked files' dependencies see as untyped (see {@link typeCheck}). */
const SDK_PACKAGES = /^@(aws-sdk|smithy)\//;
/** Entries kept: a few root sets (check, run) times a few recent states. */
const CACHE_LIMIT = 16;

/** `playbooks/x.ts:12:9 error TS2345: …` */
export function formatTypeProblem(problem: TypeProblem): string {
  return `${problem.file}:${problem.line}:${problem.column} error TS${problem.code}: ${problem.message}`;
}

/** The playbook files of a playbooks folder, as `loadPlaybooks` reads them. */
export function playbookFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'))
    .sort()
    .map((f) => path.join(dir, f));
}

/** The playbooks' tests: `test/playbooks/**\/*.test.ts` under the project root. */
export function playbookTestFiles(root: string): string[] {
  const dir = path.join(root, 'test', 'playbooks');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.ts'))
    .sort()
    .map((f) => path.join(dir, f));
}

function sha256(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

function readCache(file: string): CacheFile {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as CacheFile;
    if (parsed.version === CACHE_VERSION && typeof parsed.entries === 'object') return parsed;
  } catch {
    // No cache or an unreadable one: start afresh.
  }
  return { version: CACHE_VERSION, entries: {} };
}

function writeCache(file: string, key: string, entry: CacheEntry): void {
  const { entries } = readCache(file);
  const kept = Object.entries(entries)
    .filter(([k]) => k !== key)
    .slice(-(CACHE_LIMIT - 1));
  mkdirSync(path.dirname(file), { recursive: true });
  // Atomic replace: concurrent checks (test workers, a watcher) never read half a file.
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(
    temporary,
    JSON.stringify({ version: CACHE_VERSION, entries: { ...Object.fromEntries(kept), [key]: entry } }),
  );
  renameSync(temporary, file);
}

function fresh(root: string, entry: CacheEntry): boolean {
  return Object.entries(entry.inputs).every(([file, hash]) => {
    try {
      // As the compiler reads it: UTF-8, without a byte-order mark.
      return sha256(readFileSync(path.join(root, file), 'utf8').replace(/^\uFEFF/, '')) === hash;
    } catch {
      return false;
    }
  });
}

/**
 * The compiler errors of `files` (absolute paths) and of nothing else, with the options of
 * `<root>/tsconfig.json`; reused from `cacheFile` while no input changed.
 *
 * @param cacheFile @default `<root>/node_modules/.cache/riposte/typecheck.json`
 */
export async function typeCheck(
  root: string,
  files: readonly string[],
  cacheFile: string = path.join(root, 'node_modules', '.cache', 'riposte', 'typecheck.json'),
): Promise<TypeProblem[]> {
  const tsconfig = path.join(root, 'tsconfig.json');
  const lockfile = path.join(root, 'package-lock.json');
  const relative = files.map((f) => path.relative(root, f).split(path.sep).join('/'));
  const key = sha256(
    JSON.stringify([
      relative,
      existsSync(tsconfig) ? sha256(readFileSync(tsconfig)) : '',
      existsSync(lockfile) ? sha256(readFileSync(lockfile)) : '',
    ]),
  );
  const cached = readCache(cacheFile).entries[key];
  if (cached !== undefined && fresh(root, cached)) return [...cached.problems];

  const { default: ts } = await import('typescript');
  const config = ts.readConfigFile(tsconfig, (f) => ts.sys.readFile(f));
  const { options } = ts.parseJsonConfigFileContent(config.config ?? {}, ts.sys, root, { noEmit: true });
  const roots = new Set(files.map((f) => path.resolve(f)));
  const host = ts.createCompilerHost(options);
  // The AWS SDK's declarations are most of what a full check parses (about 2,000 files), yet
  // only the actions' bodies use them: a playbook sees an action through its zod input and
  // output. Imported from anywhere but the checked files themselves, they resolve to nothing
  // (typed `any`, errors outside the checked files are not reported); `npm run typecheck`
  // checks the actions against the SDK.
  host.resolveModuleNameLiterals = (literals, containingFile, redirected, compilerOptions) =>
    literals.map((literal) =>
      !roots.has(path.resolve(containingFile)) && SDK_PACKAGES.test(literal.text)
        ? { resolvedModule: undefined }
        : ts.resolveModuleName(literal.text, containingFile, compilerOptions, host, undefined, redirected),
    );
  const program = ts.createProgram({ rootNames: [...files], options, host });
  const problems: TypeProblem[] = [];
  for (const source of program.getSourceFiles()) {
    if (!roots.has(path.resolve(source.fileName))) continue;
    const diagnostics = [
      ...program.getSyntacticDiagnostics(source),
      ...program.getSemanticDiagnostics(source),
    ];
    for (const d of diagnostics) {
      if (d.category !== ts.DiagnosticCategory.Error) continue;
      const at = d.file?.getLineAndCharacterOfPosition(d.start ?? 0) ?? { line: 0, character: 0 };
      problems.push({
        file: path.relative(root, source.fileName).split(path.sep).join('/'),
        line: at.line + 1,
        column: at.character + 1,
        code: d.code,
        // The head of the message chain: the detail lines repeat the path unions at length.
        message: ts.flattenDiagnosticMessageText(d.messageText, '\n').split('\n')[0] ?? '',
      });
    }
  }
  const inputs: Record<string, string> = {};
  for (const source of program.getSourceFiles()) {
    const file = path.relative(root, source.fileName);
    // Everything under node_modules is keyed by the lockfile instead.
    if (file.split(path.sep).includes('node_modules')) continue;
    // The text the compiler read, not the file now: an edit made during the check invalidates.
    inputs[file.split(path.sep).join('/')] = sha256(source.text);
  }
  try {
    writeCache(cacheFile, key, { inputs, problems });
  } catch {
    // A read-only checkout still gets the answer, only not cached.
  }
  return problems;
}

/**
 * The type errors of the playbooks in use (`$RIPOSTE_PLAYBOOKS_DIR` or `playbooks/`) and, with
 * `tests`, of their tests in `test/playbooks/`, checked against the repository's tsconfig.
 * Both questions check the same files (one cache entry serves `playbooks check` and `run`);
 * without `tests` only the playbooks' own errors are returned.
 *
 * @example
 * const problems = await playbookTypeProblems({ tests: true });
 */
export async function playbookTypeProblems(
  options: { readonly tests?: boolean } = {},
): Promise<TypeProblem[]> {
  const root = path.resolve(PLAYBOOKS_DIR, '..');
  const playbooks = playbookFiles(defaultPlaybooksDir());
  const tests = [path.join(root, 'cli', 'local', 'matchers.ts'), ...playbookTestFiles(root)];
  const problems = await typeCheck(root, [...playbooks, ...tests]);
  if (options.tests === true) return problems;
  const own = new Set(playbooks.map((f) => path.relative(root, f).split(path.sep).join('/')));
  return problems.filter((p) => own.has(p.file));
}
