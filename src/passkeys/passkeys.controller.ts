import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Auth, AuthLevel } from '../auth/auth-level';
import { AuthService } from '../auth/auth.service';
import { CurrentSession } from '../auth/current-session.decorator';
import { OkResponse, TokenResponse } from '../auth/dto/responses';
import { AcceptsRestrictedToken } from '../auth/restricted-token';
import { RequireScope } from '../auth/scope';
import { Origin, type SignInOrigin } from '../auth/sign-in-origin';
import { DomainError } from '../errors/domain-error';
import { Fails } from '../http/api-errors';
import { Dialect } from '../http/dialect';
import { ClientAddress } from '../limits/client-address';
import { SignInRateGuard } from '../limits/sign-in-rate.guard';
import { SCOPE_ACCOUNT_READ } from '../tokens/scopes';
import type { Session } from '../tokens/session';
import {
  AddPasskeyDto,
  CreationOptionsResponse,
  PasskeyAddedResponse,
  PasskeyLoginDto,
  PasskeyOptionsDto,
  PasskeysResponse,
  RemovePasskeyDto,
  RequestOptionsResponse,
} from './passkeys.dto';
import { type PasskeyView, PasskeysService } from './passkeys.service';

const WRONG_PASSWORD_OR_CODE =
  'Wrong password, or a missing or wrong second-factor code (`"secondFactor":"required"`); counts as a failed sign-in';

/** An account's passkeys (CONTRACT section 19), in the Birdhouse shape. */
@Controller('api/auth/passkeys')
@Dialect('birdhouse')
@ApiTags('Passkeys')
@Auth(AuthLevel.Required)
export class PasskeysController {
  constructor(
    private readonly passkeys: PasskeysService,
    private readonly auth: AuthService,
  ) {}

  @Post('options')
  @HttpCode(200)
  @AcceptsRestrictedToken()
  @UseGuards(SignInRateGuard)
  @ApiOkResponse({ type: CreationOptionsResponse, description: 'Options for navigator.credentials.create' })
  @Fails(403, WRONG_PASSWORD_OR_CODE)
  async options(
    @CurrentSession() session: Session,
    @Body() body: PasskeyOptionsDto,
    @ClientAddress() address: string,
  ): Promise<{ status: 'ok'; options: object }> {
    const password = this.auth.decodePwd(body.pwd);
    return { status: 'ok', options: await this.passkeys.registrationOptions(session, password, body.otp, address) };
  }

  @Post()
  @HttpCode(200)
  @AcceptsRestrictedToken()
  @ApiOkResponse({ type: PasskeyAddedResponse, description: 'The passkey is registered' })
  async add(
    @CurrentSession() session: Session,
    @Body() body: AddPasskeyDto,
    @ClientAddress() address: string,
  ): Promise<{ status: 'ok'; passkey: PasskeyView }> {
    return { status: 'ok', passkey: await this.passkeys.register(session, body.credential, body.name, address) };
  }

  @Get()
  @RequireScope(SCOPE_ACCOUNT_READ)
  @ApiOkResponse({ type: PasskeysResponse, description: "The account's passkeys" })
  async list(@CurrentSession() session: Session): Promise<{ status: 'ok'; passkeys: PasskeyView[] }> {
    return { status: 'ok', passkeys: await this.passkeys.list(session) };
  }

  @Post('remove')
  @HttpCode(200)
  @UseGuards(SignInRateGuard)
  @ApiOkResponse({ type: OkResponse, description: 'The passkey is removed; no token is revoked' })
  @Fails(403, WRONG_PASSWORD_OR_CODE)
  @Fails(404, "Not a passkey of the caller's account")
  async remove(
    @CurrentSession() session: Session,
    @Body() body: RemovePasskeyDto,
    @ClientAddress() address: string,
  ): Promise<{ status: 'ok' }> {
    await this.passkeys.remove(session, body.id, this.auth.decodePwd(body.pwd), body.otp, address);
    return { status: 'ok' };
  }
}

/** Signing in with a passkey (CONTRACT section 19): both calls share the per-address sign-in budget. */
@Controller('api/auth/passkey/login')
@Dialect('birdhouse')
@ApiTags('Passkeys')
@Auth(AuthLevel.NotNeeded)
@UseGuards(SignInRateGuard)
export class PasskeyLoginController {
  constructor(private readonly passkeys: PasskeysService) {}

  @Post('options')
  @HttpCode(200)
  @ApiOkResponse({ type: RequestOptionsResponse, description: 'Options for navigator.credentials.get' })
  @Fails(400, 'The body is not {}')
  @Fails(413, 'The body is over 64 KiB')
  @Fails(415, 'The body is not JSON')
  @Fails(429, 'Too many sign-in attempts from this address; see Retry-After')
  async options(@Body() body: unknown): Promise<{ status: 'ok'; options: object }> {
    // An empty object and nothing else: a DTO without fields would refuse every body.
    if (body === null || typeof body !== 'object' || Array.isArray(body) || Object.keys(body).length > 0)
      throw new DomainError('invalid', 'the body must be {}');
    return { status: 'ok', options: await this.passkeys.loginOptions() };
  }

  @Post()
  @HttpCode(200)
  @ApiOkResponse({ type: TokenResponse, description: 'Signed in: a new token, as a password sign-in gives' })
  @Fails(401, 'The passkey was not accepted (one answer for every refusal)')
  @Fails(403, 'The account is locked')
  @Fails(429, 'Too many sign-in attempts (per account and address, or per address); see Retry-After')
  async login(@Body() body: PasskeyLoginDto, @Origin() origin: SignInOrigin): Promise<{ status: 'ok'; token: string }> {
    return { status: 'ok', token: await this.passkeys.login(body.credential, origin) };
  }
}
