import assert from 'node:assert/strict';
import { Module } from '@nestjs/common';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketServer } from '@nestjs/websockets';
import { IsString } from 'class-validator';
import type { Server, Socket } from 'socket.io';
import { accountRoom, GatehouseGateway, type Session, SocketSession } from '../../src/extension';
import { hashToken } from '../../src/tokens/token-secret';
import type { TestDatabase } from './engines';
import { client, uniqueLogin } from './http';

class EchoDto {
  @IsString()
  text: string;
}

/** What another team's gateways look like: they read the session and the rooms, nothing more. */
@GatehouseGateway()
class ProbeGateway {
  @WebSocketServer() server: Server;

  @SubscribeMessage('probe:session')
  session(@SocketSession() session: Session, @ConnectedSocket() socket: Socket) {
    return {
      accountId: session.accountId,
      tokenId: session.tokenId,
      rooms: [...socket.rooms].filter((r) => r !== socket.id).sort(),
    };
  }

  @SubscribeMessage('probe:tell-account')
  tell(@SocketSession() session: Session): { sent: true } {
    this.server.to(accountRoom(session.accountId)).emit('told', session.login);
    return { sent: true };
  }

  @SubscribeMessage('probe:echo')
  echo(@MessageBody() body: EchoDto): { text: string } {
    return { text: body.text };
  }

  @SubscribeMessage('probe:crash')
  crash(@SocketSession() _session: Session): never {
    throw new Error('a bug with internal details');
  }
}

@GatehouseGateway({ namespace: 'probe' })
class NamespacedProbeGateway {
  @SubscribeMessage('probe:whoami')
  whoami(@SocketSession() session: Session): { login: string } {
    return { login: session.login };
  }
}

/** An extension module with gateways on the default namespace and on /probe. */
@Module({ providers: [ProbeGateway, NamespacedProbeGateway] })
export class ProbeModule {}

/** The id and account of a token's row. */
export async function tokenRow(database: TestDatabase, token: string): Promise<{ id: number; accountId: number }> {
  const rows = (await database.sql('SELECT id, account_id FROM tokens WHERE token_hash = ?', [hashToken(token)])) as {
    id: number;
    account_id: number;
  }[];
  assert.equal(rows.length, 1);
  return { id: Number(rows[0].id), accountId: Number(rows[0].account_id) };
}

/** An account with two tokens (two devices). */
export async function twoDevices(base: () => string) {
  const http = client(base);
  const first = await http.account(uniqueLogin('Dev'));
  const second = await http.post('/auth', { login: first.login, password: first.password });
  assert.equal(second.status, 200);
  return { login: first.login, token1: first.token, token2: second.body.token as string };
}
