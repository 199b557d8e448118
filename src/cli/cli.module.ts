import { type DynamicModule, Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import type { AppConfig } from '../config/config';
import { ClockModule } from '../clock/clock.module';
import { ConfigModule } from '../config/config.module';
import { DatabaseModule } from '../database/database.module';
import { EventsModule } from '../events/events.module';
import { TokensModule } from '../tokens/tokens.module';
import { OwnerService } from './owner.service';

/** What the owner commands need: the stores, without HTTP, guards or sockets. */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CliModule,
      imports: [
        ConfigModule.forRoot(config),
        ClockModule.forRoot(),
        // Events go to stderr: stdout carries the command's result.
        EventsModule.forRoot({ via: 'cli', sink: (line) => process.stderr.write(`${line}\n`) }),
        DatabaseModule,
        AccountsModule,
        TokensModule,
      ],
      providers: [OwnerService],
    };
  }
}
