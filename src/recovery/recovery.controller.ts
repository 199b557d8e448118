import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Auth, AuthLevel } from '../auth/auth-level';
import { TokenResponse } from '../auth/dto/responses';
import { Fails } from '../http/api-errors';
import { Dialect } from '../http/dialect';
import { ClientAddress } from '../limits/client-address';
import { SignInRateGuard } from '../limits/sign-in-rate.guard';
import { RecoverDto } from './recover.dto';
import { RecoveryService } from './recovery.service';

/** Birdhouse dialect: the user redeems the recovery code the owner gave them. */
@Controller('api/auth')
@Dialect('birdhouse')
@ApiTags('Recovery')
export class RecoveryController {
  constructor(private readonly recovery: RecoveryService) {}

  @Post('recover')
  @HttpCode(200)
  @ApiOkResponse({
    type: TokenResponse,
    description: 'The new password is set, every old token revoked, a fresh token issued',
  })
  @Fails(401, 'Unknown handle, or a wrong, expired or used code (one body for all)')
  @Fails(403, 'A valid code for a locked account')
  @Auth(AuthLevel.NotNeeded)
  // The per-address budget that sign-in and registration share: a code is guessed like a password.
  @UseGuards(SignInRateGuard)
  async recover(@Body() body: RecoverDto, @ClientAddress() address: string): Promise<{ status: 'ok'; token: string }> {
    return { status: 'ok', token: await this.recovery.redeem({ ...body, address }) };
  }
}
