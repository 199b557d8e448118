import { type DynamicModule, Global, Inject, Module } from '@nestjs/common';
import type { AppConfig } from './config';

export const APP_CONFIG = Symbol('APP_CONFIG');

/** Injects the validated configuration. */
export const InjectConfig = (): ParameterDecorator & PropertyDecorator => Inject(APP_CONFIG);

/**
 * The configuration is parsed before Nest starts (see main.ts), so a bad value stops the
 * process with one line instead of a stack of module-initialisation errors.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: APP_CONFIG, useValue: Object.freeze({ ...config }) }],
      exports: [APP_CONFIG],
    };
  }
}
