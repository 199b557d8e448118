import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';

/**
 * On SQLite every write must go through TransactionRunner.run (see transaction-runner.ts): a
 * write on an injected Repository or DataSource would run on the one shared connection, inside
 * whatever transaction another request has open. This check reads the code of src/ and
 * examples/ and names every such write; writes on the `manager` that run() hands over pass.
 */

const WRITES = new Set([
  'save',
  'insert',
  'update',
  'upsert',
  'delete',
  'remove',
  'softDelete',
  'softRemove',
  'restore',
  'recover',
  'increment',
  'decrement',
  'clear',
  'query',
  'transaction',
  'createQueryRunner',
]);
/** Types whose values reach the database outside a unit of work; an EntityManager from run() is the way in. */
const HANDLE_TYPE = /^(Repository|DataSource)\b/;
const INJECTORS = new Set(['InjectRepository', 'InjectReadRepository', 'InjectDataSource', 'InjectEntityManager']);

const isReadQuery = (call: ts.CallExpression): boolean => {
  const [first] = call.arguments;
  return first !== undefined && ts.isStringLiteralLike(first) && /^\s*(SELECT|SHOW|EXPLAIN)\b/i.test(first.text);
};

/** The name an expression starts from: `x` of `this.x.getRepository(A).save`, or of `x.manager.save`. */
function rootName(expression: ts.Expression): string | undefined {
  let node: ts.Expression = expression;
  for (;;) {
    if (ts.isPropertyAccessExpression(node) && node.expression.kind === ts.SyntaxKind.ThisKeyword)
      return node.name.text;
    if (ts.isIdentifier(node)) return node.text;
    if (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node) || ts.isCallExpression(node))
      node = node.expression;
    else if (ts.isParenthesizedExpression(node) || ts.isNonNullExpression(node) || ts.isAwaitExpression(node))
      node = node.expression;
    else return undefined;
  }
}

/** `file:line: text` for every write on a repository or data source that did not come from run(). */
export function unsafeWrites(file: string, source: string): string[] {
  const tree = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const handles = new Set<string>();
  const collect = (node: ts.Node): void => {
    if ((ts.isParameter(node) || ts.isPropertyDeclaration(node)) && ts.isIdentifier(node.name)) {
      const injected = ts
        .getDecorators(node)
        ?.some((d) => ts.isCallExpression(d.expression) && INJECTORS.has(d.expression.expression.getText(tree)));
      if (injected || (node.type && HANDLE_TYPE.test(node.type.getText(tree)))) handles.add(node.name.text);
    }
    ts.forEachChild(node, collect);
  };
  collect(tree);
  // Aliases: `const repo = this.accounts` or `= this.dataSource.getRepository(A)` are handles too.
  const alias = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
      const root = rootName(node.initializer);
      if (root && handles.has(root)) handles.add(node.name.text);
    }
    ts.forEachChild(node, alias);
  };
  alias(tree);

  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      WRITES.has(node.expression.name.text)
    ) {
      const root = rootName(node.expression.expression);
      if (root && handles.has(root) && !(node.expression.name.text === 'query' && isReadQuery(node))) {
        const { line } = tree.getLineAndCharacterOfPosition(node.getStart(tree));
        found.push(`${file}:${line + 1}: ${node.expression.getText(tree)}(...)`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(tree);
  return found;
}

function sources(dir: string, found: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, found);
    else if (name.endsWith('.ts') && !name.endsWith('.spec.ts') && !name.endsWith('.d.ts')) found.push(path);
  }
  return found;
}

/** Migrations write through their own QueryRunner; the runner is where transactions begin. */
const EXEMPT = [/\/migrations\//, /\/\d{13}-[A-Za-z]+\.ts$/, /^src\/database\/transaction-runner\.ts$/];

describe('write safety', () => {
  const root = join(__dirname, '..', '..', '..');

  it('finds no write outside TransactionRunner.run in src/ or examples/', () => {
    const files = [...sources(join(root, 'src')), ...sources(join(root, 'examples'))].map((f) => relative(root, f));
    assert.ok(files.includes('examples/notes/notes.service.ts'), 'the example is checked too');
    const unsafe = files
      .filter((f) => !EXEMPT.some((pattern) => pattern.test(f)))
      .flatMap((f) => unsafeWrites(f, readFileSync(join(root, f), 'utf8')));
    assert.deepEqual(unsafe, [], `writes outside TransactionRunner.run:\n${unsafe.join('\n')}`);
  });

  it('names a write on an injected repository, data source or alias of one', () => {
    const sample = `
      class Notes {
        constructor(
          @InjectRepository(Note) private readonly notes: Repository<Note>,
          @InjectDataSource() private readonly db: DataSource,
          private readonly typed: Repository<Note>,
        ) {}
        async bad() {
          await this.notes.save({ text: 'x' });
          await this.db.getRepository(Note).delete({ id: 1 });
          await this.db.manager.update(Note, { id: 1 }, { text: 'y' });
          await this.db.query('DELETE FROM notes');
          await this.typed.createQueryBuilder().insert().values({}).execute();
          const repo = this.db.getRepository(Note);
          await repo.remove(note);
        }
      }`;
    assert.deepEqual(unsafeWrites('sample.ts', sample), [
      'sample.ts:9: this.notes.save(...)',
      'sample.ts:10: this.db.getRepository(Note).delete(...)',
      'sample.ts:11: this.db.manager.update(...)',
      'sample.ts:12: this.db.query(...)',
      'sample.ts:13: this.typed.createQueryBuilder().insert(...)',
      'sample.ts:15: repo.remove(...)',
    ]);
  });

  it('lets reads and writes on the manager of a unit of work pass', () => {
    const sample = `
      class Notes {
        constructor(@InjectRepository(Note) private readonly notes: Repository<Note>, private readonly transactions: TransactionRunner, @InjectDataSource() private readonly db: DataSource) {}
        async fine(cache: Map<string, number>) {
          await this.notes.find({ where: { id: 1 } });
          await this.db.query('SELECT 1');
          await this.transactions.run((manager) => manager.getRepository(Note).save({ text: 'x' }));
          await this.transactions.run(async (m) => { await m.delete(Note, { id: 1 }); });
          cache.delete('x');
        }
      }`;
    assert.deepEqual(unsafeWrites('sample.ts', sample), []);
  });
});
