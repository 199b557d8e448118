import { IsString } from 'class-validator';

/** Body of POST /register and POST /auth. Rules beyond the type are checked by AccountsService. */
export class ClassicCredentialsDto {
  @IsString()
  login: string;

  @IsString()
  password: string;
}
