import { Controller, Get, HttpCode, HttpStatus, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import type { DataSource } from 'typeorm';
import { Auth, AuthLevel } from '../auth/auth-level';
import { DatabaseConnector } from '../database/database-connector';
import { Fails } from '../http/api-errors';
import { Dialect } from '../http/dialect';
import { HEALTH_DOWN_SCHEMA, HealthResponse } from './health.response';
import { SHARED_STORE, type SharedStore } from '../shared-store/shared-store';

export type RedisHealth = 'up' | 'down' | 'off';

export type HealthBody =
  { status: 'ok'; database: 'up'; redis: RedisHealth } | { status: 'error'; database: 'down'; redis: RedisHealth };

@Controller('health')
@Dialect('birdhouse')
@ApiTags('Health')
@Auth(AuthLevel.NotNeeded)
export class HealthController {
  constructor(
    private readonly database: DatabaseConnector,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SHARED_STORE) private readonly shared: SharedStore | null,
  ) {}

  /**
   * 200 while the database answers, 503 while it does not. Redis is reported but does not
   * decide the status: without it the service still serves tokens and sockets (README,
   * "Several instances"), so a balancer must not take every instance out when Redis goes.
   */
  @Get()
  @ApiOkResponse({ type: HealthResponse, description: 'The database answers' })
  @Fails(503, 'The database does not answer', HEALTH_DOWN_SCHEMA)
  @HttpCode(HttpStatus.OK)
  async check(@Res({ passthrough: true }) response: Response): Promise<HealthBody> {
    const [databaseUp, redis] = await Promise.all([this.databaseAnswers(), this.redisHealth()]);
    if (databaseUp) return { status: 'ok', database: 'up', redis };
    response.status(HttpStatus.SERVICE_UNAVAILABLE);
    return { status: 'error', database: 'down', redis };
  }

  private async databaseAnswers(): Promise<boolean> {
    if (!this.database.isReady) return false;
    try {
      await this.dataSource.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  private async redisHealth(): Promise<RedisHealth> {
    if (!this.shared) return 'off';
    return (await this.shared.ping()) ? 'up' : 'down';
  }
}
