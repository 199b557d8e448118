import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsArray, IsString, ValidateIf } from 'class-validator';
import { OtpField } from '../../auth/dto/otp-field';
import { OkResponse } from '../../auth/dto/responses';
import { PlainStringBody } from '../../http/body-validation.pipe';

/**
 * Body of POST /api/auth/tokens. The shapes of `name`, `scopes` and `expiresIn` are checked by
 * the service, with messages that say what is wrong (each a 400).
 */
export class CreateAccessTokenDto {
  @IsString()
  name: string;

  @IsArray()
  @IsString({ each: true })
  scopes: string[];

  @ValidateIf((body: { expiresIn?: unknown }) => body.expiresIn !== undefined)
  @IsString()
  expiresIn?: string;

  @IsString()
  pwd: string;

  @OtpField()
  otp?: string;
}

/** Body of POST /api/auth/tokens/revoke: an access token's id from GET /api/auth/tokens. */
export class RevokeAccessTokenDto {
  @IsString()
  id: string;
}

/**
 * Body of POST /api/auth/introspect (RFC 7662), JSON or application/x-www-form-urlencoded.
 * Checked without class-validator when valid (PlainStringBody): the route is a hot path.
 */
@PlainStringBody()
export class IntrospectDto {
  @IsString()
  token: string;

  @ValidateIf((body: { token_type_hint?: unknown }) => body.token_type_hint !== undefined)
  @IsString()
  token_type_hint?: string;
}

export class AccessTokenCreatedResponse extends OkResponse {
  @ApiProperty({ description: 'The access token, shown this once: `gh_at_` and 43 characters' })
  token: string;

  @ApiProperty({ description: "The token's id (its session id)" })
  id: string;
}

export class AccessTokenView {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: [String] }) scopes: string[];
  @ApiProperty({ description: 'ISO 8601, UTC' }) createdAt: string;
  @ApiProperty({ type: String, nullable: true, description: 'ISO 8601, UTC, to within a minute' })
  lastUsedAt: string | null;
  @ApiProperty({ description: 'ISO 8601, UTC' }) expiresAt: string;
}

export class AccessTokensResponse extends OkResponse {
  @ApiProperty({ type: [AccessTokenView] })
  tokens: AccessTokenView[];
}

/** RFC 7662's answer: `active`, and for an active token what it stands for. No `status` field. */
export class IntrospectionResponse {
  @ApiProperty() active: boolean;
  @ApiPropertyOptional({ description: "The account's id, as a string" }) sub?: string;
  @ApiPropertyOptional({ description: "The account's handle" }) username?: string;
  @ApiPropertyOptional({ description: 'The scopes, space-separated ("" for a restricted token)' }) scope?: string;
  @ApiPropertyOptional({ description: 'Expiry, Unix seconds' }) exp?: number;
  @ApiPropertyOptional({ description: 'Issue time, Unix seconds' }) iat?: number;
  @ApiPropertyOptional({ enum: ['session', 'access_token'] }) token_type?: 'session' | 'access_token';
}
