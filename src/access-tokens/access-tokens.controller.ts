import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Auth, AuthLevel } from '../auth/auth-level';
import { AuthService } from '../auth/auth.service';
import { CurrentSession } from '../auth/current-session.decorator';
import { OkResponse } from '../auth/dto/responses';
import { RequireScope } from '../auth/scope';
import { Origin, type SignInOrigin } from '../auth/sign-in-origin';
import { Fails } from '../http/api-errors';
import { Dialect } from '../http/dialect';
import { ClientAddress } from '../limits/client-address';
import { SignInRateGuard } from '../limits/sign-in-rate.guard';
import type { Session } from '../tokens/session';
import { SCOPE_ACCOUNT_READ, SCOPE_INTROSPECT } from '../tokens/scopes';
import { AccessTokensService } from './access-tokens.service';
import {
  AccessTokenCreatedResponse,
  AccessTokensResponse,
  type AccessTokenView,
  CreateAccessTokenDto,
  IntrospectDto,
  IntrospectionResponse,
  RevokeAccessTokenDto,
} from './dto/access-tokens.dto';
import { type Introspection, IntrospectionService } from './introspection.service';

/** Access tokens for programs (CONTRACT section 21), in the Birdhouse shape. */
@Controller('api/auth/tokens')
@Dialect('birdhouse')
@ApiTags('Access tokens')
@Auth(AuthLevel.Required)
export class AccessTokensController {
  constructor(
    private readonly accessTokens: AccessTokensService,
    private readonly auth: AuthService,
  ) {}

  @Post()
  @HttpCode(200)
  @UseGuards(SignInRateGuard)
  @ApiOkResponse({ type: AccessTokenCreatedResponse, description: 'A new access token, shown this once' })
  @Fails(
    400,
    'Bad input: a missing, unknown or mistyped field; no scopes or an unknown one; a `name` that is not 1 to 64 printable characters; an `expiresIn` not in the TOKEN_TTL syntax, under 1s or over ACCESS_TOKEN_MAX_TTL',
  )
  @Fails(403, 'Wrong password, or a missing or wrong second-factor code (counts as a failed sign-in)')
  async create(
    @CurrentSession() session: Session,
    @Body() body: CreateAccessTokenDto,
    @Origin() origin: SignInOrigin,
  ): Promise<{ status: 'ok'; token: string; id: string }> {
    return { status: 'ok', ...(await this.accessTokens.create(session, body, this.auth.decodePwd(body.pwd), origin)) };
  }

  @Get()
  @RequireScope(SCOPE_ACCOUNT_READ)
  @ApiOkResponse({ type: AccessTokensResponse, description: "The account's live access tokens (never the token)" })
  async list(@CurrentSession() session: Session): Promise<{ status: 'ok'; tokens: AccessTokenView[] }> {
    return { status: 'ok', tokens: await this.accessTokens.list(session) };
  }

  @Post('revoke')
  @HttpCode(200)
  @ApiOkResponse({ type: OkResponse, description: 'The access token is revoked and its sockets dropped' })
  @Fails(404, "Not a live access token of the caller's account")
  async revoke(
    @CurrentSession() session: Session,
    @Body() body: RevokeAccessTokenDto,
    @ClientAddress() address: string,
  ): Promise<{ status: 'ok' }> {
    await this.accessTokens.revoke(session, body.id, address);
    return { status: 'ok' };
  }
}

/** Token introspection for other services (RFC 7662, CONTRACT section 21). */
@Controller('api/auth/introspect')
@Dialect('birdhouse')
@ApiTags('Access tokens')
@Auth(AuthLevel.Required)
export class IntrospectionController {
  constructor(private readonly introspection: IntrospectionService) {}

  @Post()
  @HttpCode(200)
  @RequireScope(SCOPE_INTROSPECT)
  @ApiOkResponse({
    type: IntrospectionResponse,
    description:
      'RFC 7662: `{"active":false}` for an unknown, expired, revoked or malformed token; no `status` field. The body may also be application/x-www-form-urlencoded.',
  })
  @Fails(429, 'Too many introspection requests with this token (INTROSPECTION_PER_MINUTE); see Retry-After')
  introspect(@CurrentSession() session: Session, @Body() body: IntrospectDto): Introspection | Promise<Introspection> {
    return this.introspection.introspect(session, body.token);
  }
}
