import { type DynamicModule, Global, Inject, Module } from '@nestjs/common';
import { type AppConfig, configSource } from './config';
import { type ConfigNamespaceClass, parseNamespaces } from './config-namespace';

export const APP_CONFIG = Symbol('APP_CONFIG');

/** Injects the validated configuration. */
export const InjectConfig = (): ParameterDecorator & PropertyDecorator => Inject(APP_CONFIG);

/**
 * The configuration is parsed before Nest starts (see main.ts), so a bad value stops the
 * process with one line instead of a stack of module-initialisation errors. The modules'
 * configuration namespaces are read from the same environment, here, as the application is
 * put together (main.ts checks them before that too), and injected by their class.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig, namespaces: readonly ConfigNamespaceClass[] = []): DynamicModule {
    const parsed = parseNamespaces(configSource(config), namespaces);
    const values = [...parsed].map(([namespace, value]) => ({ provide: namespace, useValue: value }));
    return {
      module: ConfigModule,
      providers: [{ provide: APP_CONFIG, useValue: Object.freeze({ ...config }) }, ...values],
      exports: [APP_CONFIG, ...values.map((value) => value.provide)],
    };
  }
}
