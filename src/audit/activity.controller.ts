import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Auth, AuthLevel } from '../auth/auth-level';
import { CurrentSession } from '../auth/current-session.decorator';
import { Fails } from '../http/api-errors';
import { Dialect } from '../http/dialect';
import type { Session } from '../tokens/session';
import { RequireScope } from '../auth/scope';
import { SCOPE_SESSIONS_READ } from '../tokens/scopes';
import { AuditQueries, type ActivityPage } from './audit-queries';
import { ActivityQueryDto, ActivityResponse } from './dto/activity.dto';

/** The caller's own account's security events (CONTRACT section 20), in the Birdhouse shape. */
@Controller('api/auth/activity')
@Dialect('birdhouse')
@ApiTags('Self-service')
@Auth(AuthLevel.Required)
export class ActivityController {
  constructor(private readonly queries: AuditQueries) {}

  @Get()
  @RequireScope(SCOPE_SESSIONS_READ)
  @ApiOkResponse({ type: ActivityResponse, description: "The account's security events, newest first, 50 a page" })
  @Fails(400, 'A `before` that is not a cursor this service gave for the account, or an unknown query parameter')
  async activity(
    @CurrentSession() session: Session,
    @Query() query: ActivityQueryDto,
  ): Promise<{ status: 'ok' } & ActivityPage> {
    return { status: 'ok', ...(await this.queries.activity(session.accountId, query.before)) };
  }
}
