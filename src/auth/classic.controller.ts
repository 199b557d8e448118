import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Fails } from '../http/api-errors';
import { Dialect } from '../http/dialect';
import { SignInRateGuard } from '../limits/sign-in-rate.guard';
import { Auth, AuthLevel } from './auth-level';
import { AuthService } from './auth.service';
import { ClassicCredentialsDto, ClassicSignInDto } from './dto/classic.dto';
import { Origin, type SignInOrigin } from './sign-in-origin';
import { ClassicRegisteredResponse, ClassicTokenResponse } from './dto/responses';

/** The classic dialect: errors are `{"error": "<reason phrase>"}`. */
@Controller()
@Dialect('classic')
@ApiTags('Classic')
@Auth(AuthLevel.NotNeeded)
@UseGuards(SignInRateGuard)
export class ClassicController {
  constructor(private readonly auth: AuthService) {}

  @Post('register')
  @HttpCode(200)
  @ApiOkResponse({ type: ClassicRegisteredResponse, description: 'The account exists' })
  @Fails(409, 'The login is taken')
  async register(@Body() body: ClassicCredentialsDto, @Origin() origin: SignInOrigin): Promise<{ success: true }> {
    await this.auth.register(body.login, body.password, origin);
    return { success: true };
  }

  @Post('auth')
  @HttpCode(200)
  @ApiOkResponse({ type: ClassicTokenResponse, description: 'A new token' })
  @Fails(
    401,
    'Unknown login or wrong password (one body for both); with the right password of an account with two-factor on, a missing, wrong or used `otp` adds `"secondFactor":"required"`',
  )
  @Fails(403, 'The account is locked by the owner')
  async signIn(@Body() body: ClassicSignInDto, @Origin() origin: SignInOrigin): Promise<{ token: string }> {
    return { token: await this.auth.signIn(body.login, body.password, origin, body.otp) };
  }
}
