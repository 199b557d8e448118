import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { OtpField } from '../auth/dto/otp-field';
import { OkResponse } from '../auth/dto/responses';

/** Body of POST /api/auth/2fa/setup: the password (Base64), and `otp` as every password-asking call takes it. */
export class TwoFactorSetupDto {
  @IsString()
  pwd: string;

  @OtpField()
  otp?: string;
}

/** Body of POST /api/auth/2fa/enable: a current code of the secret just set up. */
export class TwoFactorEnableDto {
  @IsString()
  @Length(1, 64)
  code: string;
}

/** Body of POST /api/auth/2fa/disable and /api/auth/2fa/backup-codes: the password and a code, both required. */
export class TwoFactorConfirmationDto {
  @IsString()
  pwd: string;

  @OtpField({ required: true })
  otp: string;
}

export class TwoFactorSetupResponse extends OkResponse {
  @ApiProperty({ description: 'The new secret, unpadded Base32, for typing into an authenticator app' })
  secret: string;

  @ApiProperty({
    description: 'otpauth://totp/<issuer>:<handle>?secret=<secret>&issuer=<issuer>, for a QR code',
    example: 'otpauth://totp/Gatehouse:alice?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Gatehouse',
  })
  uri: string;
}

export class BackupCodesResponse extends OkResponse {
  @ApiProperty({
    type: [String],
    description: 'Ten single-use backup codes, shown this once (case, spaces and dashes do not matter)',
  })
  backupCodes: string[];
}

export class TwoFactorEnabledResponse extends BackupCodesResponse {
  @ApiProperty({ description: 'How many other tokens of the account were revoked' })
  revoked: number;
}
