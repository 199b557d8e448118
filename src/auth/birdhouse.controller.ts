import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ClientAddress } from '../limits/client-address';
import { SignInRateGuard } from '../limits/sign-in-rate.guard';
import type { Session } from '../tokens/session';
import { Auth, AuthLevel } from './auth-level';
import { AuthService } from './auth.service';
import { CurrentSession } from './current-session.decorator';
import { BirdhouseCredentialsDto, InvalidateDto } from './dto/birdhouse.dto';

/** The Birdhouse dialect: successes carry `"status": "ok"`, errors `"status": "error"`. */
@Controller('api/auth')
export class BirdhouseController {
  constructor(private readonly auth: AuthService) {}

  @Post('register')
  @HttpCode(200)
  @Auth(AuthLevel.NotNeeded)
  @UseGuards(SignInRateGuard)
  async register(@Body() body: BirdhouseCredentialsDto): Promise<{ status: 'ok'; token: string }> {
    return { status: 'ok', token: await this.auth.registerWithToken(body.handle, this.auth.decodePwd(body.pwd)) };
  }

  @Post('login')
  @HttpCode(200)
  @Auth(AuthLevel.NotNeeded)
  @UseGuards(SignInRateGuard)
  async login(
    @Body() body: BirdhouseCredentialsDto,
    @ClientAddress() address: string,
  ): Promise<{ status: 'ok'; token: string }> {
    return { status: 'ok', token: await this.auth.signIn(body.handle, this.auth.decodePwd(body.pwd), address) };
  }

  @Post('invalidate')
  @HttpCode(200)
  @Auth(AuthLevel.Required)
  async invalidate(@CurrentSession() session: Session, @Body() body: InvalidateDto): Promise<{ status: 'ok' }> {
    await this.auth.invalidate(session, body.token);
    return { status: 'ok' };
  }

  @Get('me')
  @Auth(AuthLevel.Required)
  me(@CurrentSession() session: Session): { status: 'ok'; handle: string; createdAt: string } {
    return { status: 'ok', handle: session.login, createdAt: new Date(session.accountCreatedAt).toISOString() };
  }
}
