import { ApiProperty } from '@nestjs/swagger';
import { OkResponse } from '../../auth/dto/responses';

/** Success bodies of the self-service routes, for the OpenAPI document. */
export class SessionResponse {
  @ApiProperty({ description: 'Opaque public id; reveals nothing of the token' })
  id: string;

  @ApiProperty({ description: "True for the caller's own token" })
  current: boolean;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'To within a minute' })
  lastUsedAt: string | null;

  @ApiProperty({ format: 'date-time' })
  expiresAt: string;

  @ApiProperty({ nullable: true, type: String, description: 'From the User-Agent at sign-in, e.g. "Firefox on Linux"' })
  client: string | null;

  @ApiProperty({ nullable: true, type: String, description: 'Client address at sign-in' })
  address: string | null;

  @ApiProperty({
    nullable: true,
    type: String,
    description:
      'How it was signed in: password, password+totp, password+backup-code, passkey, registration, recovery or access-token; null for tokens from before it was recorded',
  })
  method: string | null;
}

export class SessionsResponse extends OkResponse {
  @ApiProperty({ description: 'Live sessions of the account' })
  total: number;

  @ApiProperty({ type: [SessionResponse], description: 'Newest first, at most 100' })
  sessions: SessionResponse[];
}

export class RevokedResponse extends OkResponse {
  @ApiProperty({ description: 'How many other tokens were revoked' })
  revoked: number;
}
