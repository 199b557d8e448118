import type { Type } from '@nestjs/common';
import { NotesModule } from '../../../examples/notes/notes.module';
import { SignInPolicyModule } from '../../../examples/sign-in-policy/sign-in-policy.module';

/** The example modules, as a team lists its own in src/modules.ts. */
export const EXAMPLE_MODULES: Type[] = [NotesModule, SignInPolicyModule];
