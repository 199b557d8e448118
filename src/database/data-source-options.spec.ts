import assert from 'node:assert/strict';
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
});
