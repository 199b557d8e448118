import { ApiProperty } from '@nestjs/swagger';
import { IsObject, IsString, ValidateIf } from 'class-validator';
import { OtpField } from '../auth/dto/otp-field';
import { OkResponse } from '../auth/dto/responses';

/** Body of POST /api/auth/passkeys/options: the password (Base64) and, with two-factor on, a code. */
export class PasskeyOptionsDto {
  @IsString()
  pwd: string;

  @OtpField()
  otp?: string;
}

/**
 * Body of POST /api/auth/passkeys: the browser's `RegistrationResponseJSON`
 * (`PublicKeyCredential.toJSON()` of `navigator.credentials.create`), and a name (1–64 printable
 * characters, default "Passkey").
 */
export class AddPasskeyDto {
  @IsObject()
  credential: Record<string, unknown>;

  @ValidateIf((body: { name?: unknown }) => body.name !== undefined)
  @IsString()
  name?: string;
}

/** Body of POST /api/auth/passkeys/remove: a passkey's id from GET /api/auth/passkeys, and the password. */
export class RemovePasskeyDto {
  @IsString()
  id: string;

  @IsString()
  pwd: string;

  @OtpField()
  otp?: string;
}

/** Body of POST /api/auth/passkey/login: the browser's `AuthenticationResponseJSON`. */
export class PasskeyLoginDto {
  @IsObject()
  credential: Record<string, unknown>;
}

/** Body of POST /api/auth/passkey/login/options: nothing. */
export class PasskeyLoginOptionsDto {}

export class PasskeyResponse {
  @ApiProperty({ description: 'Opaque id, for removing it' })
  id: string;

  @ApiProperty({ description: '1 to 64 printable characters' })
  name: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'Its last sign-in, or null' })
  lastUsedAt: string | null;
}

export class PasskeyAddedResponse extends OkResponse {
  @ApiProperty({ type: PasskeyResponse })
  passkey: PasskeyResponse;
}

export class PasskeysResponse extends OkResponse {
  @ApiProperty({ type: [PasskeyResponse], description: 'Oldest first' })
  passkeys: PasskeyResponse[];
}

export class CreationOptionsResponse extends OkResponse {
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'PublicKeyCredentialCreationOptionsJSON (binary fields base64url): resident key and user verification required, ES256 (-7) and RS256 (-257), existing passkeys excluded; valid 5 minutes, once',
  })
  options: Record<string, unknown>;
}

export class RequestOptionsResponse extends OkResponse {
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'PublicKeyCredentialRequestOptionsJSON (challenge base64url), without allowCredentials: the browser offers its passkeys for this site; valid 5 minutes, once',
  })
  options: Record<string, unknown>;
}
