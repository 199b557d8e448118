'use strict';
/*
 * The phases of a full run, in order. Each module exports { name, rows, settings, run }:
 * - rows: the table rows it fills in ({ key, figure, goal }), through ctx.record(key, …);
 * - settings: { smoke, full }, the bounds of its loads for each kind of run;
 * - run(ctx, settings): measures (ctx is built by lib/session.js).
 * The soak (soak.js) is not here: `--soak` runs it alone.
 */
module.exports = [
  require('./auth'),
  require('./introspection'),
  require('./signin'),
  require('./signin-two-factor'),
  require('./signin-passkey'),
  require('./fairness'),
  require('./floods'),
  require('./handshakes'),
  require('./revocation'),
  require('./sessions'),
  require('./memory'),
  require('./concurrency'),
  // Growth and expiry leave big tables behind (10⁶ tokens, 10⁵ accounts, expired rows the
  // sweeper may still be deleting): they come after every phase that measures on small tables,
  // and last but one, before the two-instance phase, which does not depend on table sizes.
  require('./growth'),
  require('./expiry'),
  require('./instances'),
];
