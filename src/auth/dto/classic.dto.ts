import { IsString } from 'class-validator';
import { OtpField } from './otp-field';

/** Body of POST /register and POST /auth. Rules beyond the type are checked by AccountsService. */
export class ClassicCredentialsDto {
  @IsString()
  login: string;

  @IsString()
  password: string;
}

/** Body of POST /auth: the credentials, and a second-factor code when the account has one. */
export class ClassicSignInDto extends ClassicCredentialsDto {
  @OtpField()
  otp?: string;
}
