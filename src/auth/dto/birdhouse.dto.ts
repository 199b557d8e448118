import { IsString } from 'class-validator';
import { OtpField } from './otp-field';

/** Body of POST /api/auth/register and /api/auth/login; `pwd` is Base64 of the UTF-8 password. */
export class BirdhouseCredentialsDto {
  @IsString()
  handle: string;

  @IsString()
  pwd: string;
}

/** Body of POST /api/auth/login: the credentials, and a second-factor code when the account has one. */
export class BirdhouseSignInDto extends BirdhouseCredentialsDto {
  @OtpField()
  otp?: string;
}

/** Body of POST /api/auth/invalidate. */
export class InvalidateDto {
  @IsString()
  token: string;
}
