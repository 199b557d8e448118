import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Auth, AuthLevel } from '../auth/auth-level';
import { OkResponse } from '../auth/dto/responses';
import { Fails } from '../http/api-errors';
import { Dialect } from '../http/dialect';
import { AuthService } from '../auth/auth.service';
import { CurrentSession } from '../auth/current-session.decorator';
import { AcceptsRestrictedToken } from '../auth/restricted-token';
import { ClientAddress } from '../limits/client-address';
import { SignInRateGuard } from '../limits/sign-in-rate.guard';
import type { Session } from '../tokens/session';
import { RequireScope } from '../auth/scope';
import { SCOPE_SESSIONS_READ } from '../tokens/scopes';
import type { SessionView } from '../tokens/sessions.service';
import { PasswordConfirmationDto, RevokeSessionDto } from './dto/self-service.dto';
import { RevokedResponse, SessionsResponse } from './dto/self-service.responses';
import { SelfServiceService } from './self-service.service';

/** The caller's sessions (CONTRACT section 11), in the Birdhouse shape. */
@Controller('api/auth/sessions')
@Dialect('birdhouse')
@ApiTags('Self-service')
@Auth(AuthLevel.Required)
export class SessionsController {
  constructor(
    private readonly selfService: SelfServiceService,
    private readonly auth: AuthService,
  ) {}

  @Get()
  @RequireScope(SCOPE_SESSIONS_READ)
  @AcceptsRestrictedToken()
  @ApiOkResponse({ type: SessionsResponse, description: 'The live sessions of the account' })
  async list(@CurrentSession() session: Session): Promise<{ status: 'ok'; total: number; sessions: SessionView[] }> {
    return { status: 'ok', ...(await this.selfService.listSessions(session)) };
  }

  @Post('revoke')
  @HttpCode(200)
  @ApiOkResponse({ type: OkResponse, description: "The session's token is revoked and its sockets dropped" })
  @Fails(404, "Not a live session of the caller's account")
  async revoke(
    @CurrentSession() session: Session,
    @Body() body: RevokeSessionDto,
    @ClientAddress() address: string,
  ): Promise<{ status: 'ok' }> {
    await this.selfService.revokeSession(session, body.id, address);
    return { status: 'ok' };
  }

  @Post('revoke-others')
  @HttpCode(200)
  @ApiOkResponse({ type: RevokedResponse, description: 'Every other token of the account is revoked' })
  @Fails(403, 'Wrong password, or a missing or wrong second-factor code (counts as a failed sign-in)')
  @UseGuards(SignInRateGuard)
  async revokeOthers(
    @CurrentSession() session: Session,
    @Body() body: PasswordConfirmationDto,
    @ClientAddress() address: string,
  ): Promise<{ status: 'ok'; revoked: number }> {
    return {
      status: 'ok',
      revoked: await this.selfService.revokeOthers(session, this.auth.decodePwd(body.pwd), body.otp, address),
    };
  }
}
