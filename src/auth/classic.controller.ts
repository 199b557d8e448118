import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { Auth, AuthLevel } from './auth-level';
import { AuthService } from './auth.service';
import { ClassicCredentialsDto } from './dto/classic.dto';

/** The classic dialect: errors are `{"error": "<reason phrase>"}`. */
@Controller()
@Auth(AuthLevel.NotNeeded)
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
  async signIn(@Body() body: ClassicCredentialsDto): Promise<{ token: string }> {
    return { token: await this.auth.signIn(body.login, body.password) };
  }
}
