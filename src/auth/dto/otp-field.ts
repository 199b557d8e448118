import { applyDecorators } from '@nestjs/common';
import { IsString, Length, ValidateIf } from 'class-validator';

/** Longer than any code (a TOTP code is 6 digits, a backup code 10 characters with a dash). */
export const OTP_MAX_LENGTH = 64;

/**
 * The `otp` field of a sign-in and of every call that asks for the password again (CONTRACT
 * section 18): a current authenticator code or an unused backup code, 1 to 64 characters. Optional
 * unless `required` (then its absence is 400); when present it must be a string, so `null` is 400
 * like any mistyped field. Add it to a body DTO and hand it to StepUp.confirm:
 *
 *     @OtpField() otp?: string;
 */
export const OtpField = ({ required = false }: { required?: boolean } = {}): PropertyDecorator =>
  applyDecorators(
    ...(required ? [] : [ValidateIf((body: { otp?: unknown }) => body.otp !== undefined)]),
    IsString(),
    Length(1, OTP_MAX_LENGTH),
  );
