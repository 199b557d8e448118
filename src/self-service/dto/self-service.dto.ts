import { IsString } from 'class-validator';
import { OtpField } from '../../auth/dto/otp-field';

/**
 * Body of POST /api/auth/sessions/revoke: a session's public id from GET /api/auth/sessions. Any
 * string is an id: one that names no live session of the caller (empty, too long) is 404.
 */
export class RevokeSessionDto {
  @IsString()
  id: string;
}

/**
 * Body of POST /api/auth/sessions/revoke-others and /api/auth/delete; `pwd` is Base64 as at
 * sign-in, `otp` the second factor, required when the account has one.
 */
export class PasswordConfirmationDto {
  @IsString()
  pwd: string;

  @OtpField()
  otp?: string;
}

/** Body of POST /api/auth/password: the current password and the new one, both Base64. */
export class ChangePasswordDto {
  @IsString()
  pwd: string;

  @IsString()
  newPwd: string;

  @OtpField()
  otp?: string;
}
