import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ClientAddress } from '../limits/client-address';
import { SignInRateGuard } from '../limits/sign-in-rate.guard';
import type { Session } from '../tokens/session';
import { Auth, AuthLevel } from './auth-level';
import { AuthService } from './auth.service';
import { CurrentSession } from './current-session.decorator';
import { Origin, type SignInOrigin } from './sign-in-origin';
import { BirdhouseCredentialsDto, InvalidateDto } from './dto/birdhouse.dto';

/** The Birdhouse dialect: successes carry `"status": "ok"`, errors `"status": "error"`. */
@Controller('api/auth')
export class BirdhouseController {
  constructor(private readonly auth: AuthService) {}

  @Post('register')
  @HttpCode(200)
  @Auth(AuthLevel.NotNeeded)
  @UseGuards(SignInRateGuard)
  async register(@Body() body: BirdhouseCredentialsDto, @Origin() origin: SignInOrigin): Promise<{ status: 'ok'; token: string }> {
    return { status: 'ok', token: await this.auth.registerWithToken(body.handle, this.auth.decodePwd(body.pwd), origin) };
  }

  @Post('login')
  @HttpCode(200)
  @Auth(AuthLevel.NotNeeded)
  @UseGuards(SignInRateGuard)
  async login(
    @Body() body: BirdhouseCredentialsDto,
    @Origin() origin: SignInOrigin,
  ): Promise<{ status: 'ok'; token: string }> {
    return { status: 'ok', token: await this.auth.signIn(body.handle, this.auth.decodePwd(body.pwd), origin) };
  }

  @Post('invalidate')
  @HttpCode(200)
  @Auth(AuthLevel.Required)
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
  me(@CurrentSession() session: Session): { status: 'ok'; handle: string; createdAt: string } {
    return { status: 'ok', handle: session.login, createdAt: new Date(session.accountCreatedAt).toISOString() };
  }
}
