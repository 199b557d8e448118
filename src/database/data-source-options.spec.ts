import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { dataSourceOptions } from './data-source-options';

describe('dataSourceOptions', () => {
  it("turns off mysql2's stack capture on every query, for MySQL and MariaDB", () => {
    for (const type of ['mysql', 'mariadb'] as const) {
      const options = dataSourceOptions({ type, url: `${type}://user@127.0.0.1:3306/gatehouse` }, []);
      assert.equal(options.type, type);
      assert.equal((options as { trace?: boolean }).trace, false, type);
    }
  });

  it('has every SQLite connection overwrite deleted content (secure_delete), the in-memory one too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-options-'));
    try {
      for (const path of [':memory:', join(dir, 'gatehouse.sqlite')]) {
        const options = dataSourceOptions({ type: 'sqlite', path }, []) as {
          prepareDatabase?: (db: unknown) => void;
        };
        const pragmas: string[] = [];
        options.prepareDatabase?.({ pragma: (source: string) => pragmas.push(source) });
        assert.deepEqual(pragmas, ['secure_delete = ON'], path);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
