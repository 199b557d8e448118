import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Auth, AuthLevel } from '../auth/auth-level';
import { DatabaseConnector } from '../database/database-connector';

@Controller('health')
@Auth(AuthLevel.NotNeeded)
export class HealthController {
  constructor(
    private readonly database: DatabaseConnector,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /** 200 while the database answers, 503 while it does not. */
  @Get()
  async check(): Promise<{ status: 'ok' }> {
    if (!this.database.isReady) throw new ServiceUnavailableException('database unavailable');
    await this.dataSource.query('SELECT 1');
    return { status: 'ok' };
  }
}
