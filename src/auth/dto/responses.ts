import { ApiProperty } from '@nestjs/swagger';

/** Success bodies, for the OpenAPI document (the handlers' return types say the same). */
export class ClassicRegisteredResponse {
  @ApiProperty({ enum: [true] })
  success: true;
}

export class ClassicTokenResponse {
  @ApiProperty({ description: 'The token: send it in the Authentication header' })
  token: string;
}

export class OkResponse {
  @ApiProperty({ enum: ['ok'] })
  status: 'ok';
}

export class TokenResponse extends OkResponse {
  @ApiProperty({ description: 'The token: send it in the Authentication header' })
  token: string;
}

export class MeResponse extends OkResponse {
  @ApiProperty()
  handle: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ description: 'Whether the account has two-factor sign-in on' })
  twoFactor: boolean;
}
