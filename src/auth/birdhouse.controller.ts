import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Fails } from '../http/api-errors';
import { Dialect } from '../http/dialect';
import { ClientAddress } from '../limits/client-address';
import { SignInRateGuard } from '../limits/sign-in-rate.guard';
import type { Session } from '../tokens/session';
import { Auth, AuthLevel } from './auth-level';
import { AuthService } from './auth.service';
import { CurrentSession } from './current-session.decorator';
import { Origin, type SignInOrigin } from './sign-in-origin';
import { AcceptsRestrictedToken } from './restricted-token';
import { AcceptsOwnAccessToken, RequireScope } from './scope';
import { SCOPE_ACCOUNT_READ } from '../tokens/scopes';
import { BirdhouseCredentialsDto, BirdhouseSignInDto, InvalidateDto } from './dto/birdhouse.dto';
import { MeResponse, OkResponse, TokenResponse } from './dto/responses';

/** The Birdhouse dialect: successes carry `"status": "ok"`, errors `"status": "error"`. */
@Controller('api/auth')
@Dialect('birdhouse')
@ApiTags('Birdhouse')
export class BirdhouseController {
  constructor(private readonly auth: AuthService) {}

  @Post('register')
  @HttpCode(200)
  @Auth(AuthLevel.NotNeeded)
  @UseGuards(SignInRateGuard)
  @ApiOkResponse({ type: TokenResponse, description: 'The account and its first token' })
  @Fails(409, 'The handle is taken')
  async register(
    @Body() body: BirdhouseCredentialsDto,
    @Origin() origin: SignInOrigin,
  ): Promise<{ status: 'ok'; token: string }> {
    return {
      status: 'ok',
      token: await this.auth.registerWithToken(body.handle, this.auth.decodePwd(body.pwd), origin),
    };
  }

  @Post('login')
  @HttpCode(200)
  @Auth(AuthLevel.NotNeeded)
  @UseGuards(SignInRateGuard)
  @ApiOkResponse({ type: TokenResponse, description: 'A new token' })
  @Fails(
    401,
    'Wrong handle or password (one body for both); with the right password of an account with two-factor on, a missing, wrong or used `otp` adds `"secondFactor":"required"`',
  )
  @Fails(403, 'The account is locked by the owner')
  async login(
    @Body() body: BirdhouseSignInDto,
    @Origin() origin: SignInOrigin,
  ): Promise<{ status: 'ok'; token: string }> {
    return {
      status: 'ok',
      token: await this.auth.signIn(body.handle, this.auth.decodePwd(body.pwd), origin, body.otp),
    };
  }

  @Post('invalidate')
  @HttpCode(200)
  @Auth(AuthLevel.Required)
  @AcceptsRestrictedToken()
  @AcceptsOwnAccessToken()
  @ApiOkResponse({ type: OkResponse, description: 'Revoked (also for an unknown, expired or already revoked token)' })
  @Fails(
    403,
    'The token belongs to another account, or the caller is an access token and the token is not itself; nothing is revoked',
  )
  async invalidate(
    @CurrentSession() session: Session,
    @Body() body: InvalidateDto,
    @ClientAddress() address: string,
  ): Promise<{ status: 'ok' }> {
    await this.auth.invalidate(session, body.token, address);
    return { status: 'ok' };
  }

  @Get('me')
  @Auth(AuthLevel.Required)
  @RequireScope(SCOPE_ACCOUNT_READ)
  @AcceptsRestrictedToken()
  @ApiOkResponse({ type: MeResponse, description: "The caller's account" })
  me(@CurrentSession() session: Session): { status: 'ok'; handle: string; createdAt: string; twoFactor: boolean } {
    return { status: 'ok', handle: session.login, createdAt: createdAtText(session), twoFactor: session.twoFactor };
  }
}

/**
 * The account's creation time as ISO 8601, formatted once per session: the token check hands
 * the same Session object to every request that presents a hot token, and formatting a date
 * costs more than the rest of this handler.
 */
const createdAtTexts = new WeakMap<Session, string>();
function createdAtText(session: Session): string {
  let text = createdAtTexts.get(session);
  if (text === undefined) createdAtTexts.set(session, (text = new Date(session.accountCreatedAt).toISOString()));
  return text;
}
