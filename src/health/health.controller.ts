import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Auth, AuthLevel } from '../auth/auth-level';
import { DatabaseConnector } from '../database/database-connector';
import { Fails } from '../docs/api-errors';
import { Dialect } from '../docs/dialect';
import { HEALTH_DOWN_SCHEMA, HealthResponse } from './health.response';

@Controller('health')
@Dialect('birdhouse')
@ApiTags('Health')
@Auth(AuthLevel.NotNeeded)
export class HealthController {
  constructor(
    private readonly database: DatabaseConnector,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /** 200 while the database answers, 503 while it does not. */
  @Get()
  @ApiOkResponse({ type: HealthResponse, description: 'The database answers' })
  @Fails(503, 'The database does not answer', HEALTH_DOWN_SCHEMA)
  async check(): Promise<{ status: 'ok' }> {
    if (!this.database.isReady) throw new ServiceUnavailableException('database unavailable');
    await this.dataSource.query('SELECT 1');
    return { status: 'ok' };
  }
}
