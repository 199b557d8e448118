import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { SignInRateGuard } from '../limits/sign-in-rate.guard';
import { Auth, AuthLevel } from './auth-level';
import { AuthService } from './auth.service';
import { ClassicCredentialsDto } from './dto/classic.dto';
import { Origin, type SignInOrigin } from './sign-in-origin';

/** The classic dialect: errors are `{"error": "<reason phrase>"}`. */
@Controller()
@Auth(AuthLevel.NotNeeded)
@UseGuards(SignInRateGuard)
export class ClassicController {
  constructor(private readonly auth: AuthService) {}

  @Post('register')
  @HttpCode(200)
  async register(@Body() body: ClassicCredentialsDto, @Origin() origin: SignInOrigin): Promise<{ success: true }> {
    await this.auth.register(body.login, body.password, origin);
    return { success: true };
  }

  @Post('auth')
  @HttpCode(200)
  async signIn(@Body() body: ClassicCredentialsDto, @Origin() origin: SignInOrigin): Promise<{ token: string }> {
    return { token: await this.auth.signIn(body.login, body.password, origin) };
  }
}
