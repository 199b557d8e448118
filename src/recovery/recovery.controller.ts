import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { Auth, AuthLevel } from '../auth/auth-level';
import { ClientAddress } from '../limits/client-address';
import { SignInRateGuard } from '../limits/sign-in-rate.guard';
import { RecoverDto } from './recover.dto';
import { RecoveryService } from './recovery.service';

/** Birdhouse dialect: the user redeems the recovery code the owner gave them. */
@Controller('api/auth')
export class RecoveryController {
  constructor(private readonly recovery: RecoveryService) {}

  @Post('recover')
  @HttpCode(200)
  @Auth(AuthLevel.NotNeeded)
  // The per-address budget that sign-in and registration share: a code is guessed like a password.
  @UseGuards(SignInRateGuard)
  async recover(@Body() body: RecoverDto, @ClientAddress() address: string): Promise<{ status: 'ok'; token: string }> {
    return { status: 'ok', token: await this.recovery.redeem({ ...body, address }) };
  }
}
