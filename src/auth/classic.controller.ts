import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ClientAddress } from '../limits/client-address';
import { SignInRateGuard } from '../limits/sign-in-rate.guard';
import { Auth, AuthLevel } from './auth-level';
import { AuthService } from './auth.service';
import { ClassicCredentialsDto } from './dto/classic.dto';

/** The classic dialect: errors are `{"error": "<reason phrase>"}`. */
@Controller()
@Auth(AuthLevel.NotNeeded)
@UseGuards(SignInRateGuard)
export class ClassicController {
  constructor(private readonly auth: AuthService) {}

  @Post('register')
  @HttpCode(200)
  async register(@Body() body: ClassicCredentialsDto): Promise<{ success: true }> {
    await this.auth.register(body.login, body.password);
    return { success: true };
  }

  @Post('auth')
  @HttpCode(200)
  async signIn(@Body() body: ClassicCredentialsDto, @ClientAddress() address: string): Promise<{ token: string }> {
    return { token: await this.auth.signIn(body.login, body.password, address) };
  }
}
