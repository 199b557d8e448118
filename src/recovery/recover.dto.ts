import { IsString, MaxLength } from 'class-validator';

/** Body of POST /api/auth/recover; `newPwd` is Base64 of the UTF-8 password, like `pwd`. */
export class RecoverDto {
  @IsString()
  handle: string;

  /** As the owner printed it; case, spaces and dashes do not matter. */
  @IsString()
  @MaxLength(256)
  code: string;

  @IsString()
  newPwd: string;
}
