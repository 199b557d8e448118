import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Auth, AuthLevel } from '../auth/auth-level';
import { AuthService } from '../auth/auth.service';
import { CurrentSession } from '../auth/current-session.decorator';
import { OkResponse } from '../auth/dto/responses';
import { AcceptsRestrictedToken } from '../auth/restricted-token';
import { Fails } from '../http/api-errors';
import { Dialect } from '../http/dialect';
import { ClientAddress } from '../limits/client-address';
import { SignInRateGuard } from '../limits/sign-in-rate.guard';
import type { Session } from '../tokens/session';
import {
  BackupCodesResponse,
  TwoFactorConfirmationDto,
  TwoFactorEnableDto,
  TwoFactorEnabledResponse,
  TwoFactorSetupDto,
  TwoFactorSetupResponse,
} from './two-factor.dto';
import { TwoFactorService } from './two-factor.service';

const WRONG_PASSWORD_OR_CODE =
  'Wrong password (no `secondFactor` field), or a missing or wrong code (`"secondFactor":"required"`); both count as a failed sign-in';

/**
 * Two-factor sign-in for the caller's account (CONTRACT section 18). Every route takes a password
 * or a code, so all share the per-address budget of sign-in (SignInRateGuard, after the token check).
 */
@Controller('api/auth/2fa')
@Dialect('birdhouse')
@ApiTags('Two-factor')
@Auth(AuthLevel.Required)
@UseGuards(SignInRateGuard)
export class TwoFactorController {
  constructor(
    private readonly twoFactor: TwoFactorService,
    private readonly auth: AuthService,
  ) {}

  @Post('setup')
  @HttpCode(200)
  @AcceptsRestrictedToken()
  @ApiOkResponse({ type: TwoFactorSetupResponse, description: 'A new secret; nothing changes until it is enabled' })
  @Fails(403, WRONG_PASSWORD_OR_CODE)
  @Fails(409, 'Two-factor sign-in is already on')
  async setup(
    @CurrentSession() session: Session,
    @Body() body: TwoFactorSetupDto,
    @ClientAddress() address: string,
  ): Promise<{ status: 'ok'; secret: string; uri: string }> {
    return { status: 'ok', ...(await this.twoFactor.setup(session, this.auth.decodePwd(body.pwd), body.otp, address)) };
  }

  @Post('enable')
  @HttpCode(200)
  @AcceptsRestrictedToken()
  @ApiOkResponse({
    type: TwoFactorEnabledResponse,
    description: 'Two-factor sign-in is on; every other token of the account is revoked',
  })
  @Fails(403, 'Wrong code (`"secondFactor":"required"`; counts as a failed sign-in)')
  @Fails(409, 'No pending setup (none, or older than 10 minutes), or two-factor sign-in is already on')
  async enable(
    @CurrentSession() session: Session,
    @Body() body: TwoFactorEnableDto,
    @ClientAddress() address: string,
  ): Promise<{ status: 'ok'; backupCodes: string[]; revoked: number }> {
    return { status: 'ok', ...(await this.twoFactor.enable(session, body.code, address)) };
  }

  @Post('disable')
  @HttpCode(200)
  @ApiOkResponse({ type: OkResponse, description: 'Two-factor sign-in is off; no token is revoked' })
  @Fails(403, `${WRONG_PASSWORD_OR_CODE}; or the server requires two-factor sign-in (TWO_FACTOR=required)`)
  @Fails(409, 'Two-factor sign-in is not on')
  async disable(
    @CurrentSession() session: Session,
    @Body() body: TwoFactorConfirmationDto,
    @ClientAddress() address: string,
  ): Promise<{ status: 'ok' }> {
    await this.twoFactor.disable(session, this.auth.decodePwd(body.pwd), body.otp, address);
    return { status: 'ok' };
  }

  @Post('backup-codes')
  @HttpCode(200)
  @ApiOkResponse({ type: BackupCodesResponse, description: 'New backup codes; the old ones stop working' })
  @Fails(403, WRONG_PASSWORD_OR_CODE)
  @Fails(409, 'Two-factor sign-in is not on')
  async backupCodes(
    @CurrentSession() session: Session,
    @Body() body: TwoFactorConfirmationDto,
    @ClientAddress() address: string,
  ): Promise<{ status: 'ok'; backupCodes: string[] }> {
    const backupCodes = await this.twoFactor.regenerateBackupCodes(
      session,
      this.auth.decodePwd(body.pwd),
      body.otp,
      address,
    );
    return { status: 'ok', backupCodes };
  }
}
