import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Auth, AuthLevel } from '../auth/auth-level';
import { OkResponse } from '../auth/dto/responses';
import { Fails } from '../http/api-errors';
import { Dialect } from '../http/dialect';
import { AuthService } from '../auth/auth.service';
import { CurrentSession } from '../auth/current-session.decorator';
import { ClientAddress } from '../limits/client-address';
import { SignInRateGuard } from '../limits/sign-in-rate.guard';
import type { Session } from '../tokens/session';
import { ChangePasswordDto, PasswordConfirmationDto } from './dto/self-service.dto';
import { RevokedResponse } from './dto/self-service.responses';
import { SelfServiceService } from './self-service.service';

/**
 * Password change and account deletion (CONTRACT section 11). Both take the current password,
 * so both share the per-address budget of sign-in (SignInRateGuard, which runs after the token
 * check: 401 comes first).
 */
@Controller('api/auth')
@Dialect('birdhouse')
@ApiTags('Self-service')
@Auth(AuthLevel.Required)
@UseGuards(SignInRateGuard)
export class AccountController {
  constructor(
    private readonly selfService: SelfServiceService,
    private readonly auth: AuthService,
  ) {}

  @Post('password')
  @HttpCode(200)
  @ApiOkResponse({ type: RevokedResponse, description: 'The new password is set and every other token revoked' })
  @Fails(403, 'Wrong current password, or a missing or wrong second-factor code (counts as a failed sign-in)')
  async changePassword(
    @CurrentSession() session: Session,
    @Body() body: ChangePasswordDto,
    @ClientAddress() address: string,
  ): Promise<{ status: 'ok'; revoked: number }> {
    const [password, newPassword] = [this.auth.decodePwd(body.pwd), this.auth.decodePwd(body.newPwd)];
    return {
      status: 'ok',
      revoked: await this.selfService.changePassword(session, password, newPassword, body.otp, address),
    };
  }

  @Post('delete')
  @HttpCode(200)
  @ApiOkResponse({ type: OkResponse, description: 'The account and all its tokens are gone' })
  @Fails(403, 'Wrong password, or a missing or wrong second-factor code (counts as a failed sign-in)')
  async delete(
    @CurrentSession() session: Session,
    @Body() body: PasswordConfirmationDto,
    @ClientAddress() address: string,
  ): Promise<{ status: 'ok' }> {
    await this.selfService.deleteAccount(session, this.auth.decodePwd(body.pwd), body.otp, address);
    return { status: 'ok' };
  }
}
