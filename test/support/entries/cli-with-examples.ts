// The owner's command line with the example modules, as src/cli/main.ts runs it with src/modules.ts.
import 'reflect-metadata';
import { runCliProcess } from '../../../src/cli/cli-process';
import { EXAMPLE_MODULES } from './examples';

runCliProcess(EXAMPLE_MODULES);
