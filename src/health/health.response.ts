import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class HealthResponse {
  @ApiProperty({ enum: ['ok'] })
  status: 'ok';

  @ApiPropertyOptional({ enum: ['up'] })
  database?: 'up';

  @ApiPropertyOptional({ enum: ['up', 'down', 'off'] })
  redis?: 'up' | 'down' | 'off';
}

/** GET /health's 503 says which dependency is down rather than carrying only an error. */
export const HEALTH_DOWN_SCHEMA = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['error'] },
    database: { type: 'string', enum: ['down'] },
    redis: { type: 'string', enum: ['up', 'down', 'off'] },
    error: { type: 'string' },
    message: { type: 'string' },
  },
  required: ['status'],
};
