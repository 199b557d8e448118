import assert from 'node:assert/strict';
import { join } from 'node:path';
import { it } from 'node:test';
import ts from 'typescript';

const SOURCE = join(__dirname, '..', '..', '..', 'src', 'extension', 'read-repository.ts');
const SAMPLE = join(__dirname, '..', '..', '..', 'src', 'extension', 'read-repository.sample.ts');
const WRITES = [
  'save',
  'insert',
  'update',
  'upsert',
  'delete',
  'remove',
  'increment',
  'query',
  'createQueryBuilder',
  'manager',
];
const READS = ['find', 'findOneBy', 'count', 'exists'];

/** Type-checks a sample that uses a ReadRepository; returns the messages, one per offending line. */
function compile(lines: string[]): string[] {
  const text = [
    `import type { ReadRepository } from './read-repository';`,
    'declare const repo: ReadRepository<{ id: number }>;',
    ...lines,
  ].join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
  };
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  host.readFile = (file) => (file === SAMPLE ? text : read(file));
  const exists = host.fileExists.bind(host);
  host.fileExists = (file) => file === SAMPLE || exists(file);
  const program = ts.createProgram([SAMPLE, SOURCE], options, host);
  return ts
    .getPreEmitDiagnostics(program, program.getSourceFile(SAMPLE))
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

it('type-checks reads, and refuses every write, on a ReadRepository', () => {
  assert.deepEqual(compile(READS.map((name) => `void repo.${name};`)), []);
  const refused = compile(WRITES.map((name) => `void repo.${name};`));
  assert.deepEqual(
    refused,
    WRITES.map((name) => `Property '${name}' does not exist on type 'ReadRepository<{ id: number; }>'.`),
  );
});
