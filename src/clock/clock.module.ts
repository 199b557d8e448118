import { type DynamicModule, Global, Module } from '@nestjs/common';
import { Clock } from './clock';

/** Provides the one Clock; an application (or a test) may hand in its own. */
@Global()
@Module({})
export class ClockModule {
  static forRoot(clock: Clock = new Clock()): DynamicModule {
    return { module: ClockModule, providers: [{ provide: Clock, useValue: clock }], exports: [Clock] };
  }
}
