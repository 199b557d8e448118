import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { OkResponse } from '../../auth/dto/responses';

/** The query of GET /api/auth/activity; any other parameter is refused. */
export class ActivityQueryDto {
  @ApiPropertyOptional({
    description:
      "The `next` of the previous page: the page goes on after it. Opaque; a cursor that is not one this service gave for the caller's account (or whose event the retention has deleted since) is 400",
  })
  @IsOptional()
  @IsString()
  before?: string;
}

export class ActivityEventResponse {
  @ApiProperty({ description: 'Opaque id of the stored event' })
  id: string;

  @ApiProperty({ description: 'The security event, e.g. "sign-in.succeeded"', example: 'sign-in.succeeded' })
  event: string;

  @ApiProperty({ format: 'date-time', description: 'When it happened, to the millisecond' })
  at: string;

  @ApiProperty({ nullable: true, type: String, description: 'Client address, where the event came over the network' })
  address: string | null;

  @ApiProperty({ nullable: true, type: String, description: 'Client label of the session, e.g. "Firefox on Linux"' })
  client: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: { oneOf: [{ type: 'string', nullable: true }, { type: 'number' }, { type: 'boolean' }] },
    description: 'The further fields of the event, e.g. `{"cause":"others","count":3}`; `via` for the owner\'s tools',
  })
  details: Record<string, string | number | boolean | null>;
}

export class ActivityResponse extends OkResponse {
  @ApiProperty({ type: [ActivityEventResponse], description: "The account's events, newest first, 50 a page" })
  events: ActivityEventResponse[];

  @ApiProperty({ nullable: true, type: String, description: 'Cursor of the next (older) page, or null' })
  next: string | null;
}
