import { Module } from '@nestjs/common';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { loadSecretsKey, SecretsKey } from './secrets-key';
import { SecretsConfig } from './secrets.config';

/**
 * The secrets key, for the server only: loaded (or generated, on the first start) as the
 * application is built, so that a key file that cannot be read stops the start with one line.
 * The owner's tools never load it: none of their commands needs a secret.
 */
@Module({
  providers: [
    {
      provide: SecretsKey,
      inject: [SecretsConfig, APP_CONFIG],
      useFactory: (secrets: SecretsConfig, config: AppConfig) => loadSecretsKey(secrets, config),
    },
  ],
  exports: [SecretsKey],
})
export class SecretsModule {}
