import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import type { Account } from '../accounts/account.entity';
import { isSessionIdShaped, newSessionId } from '../tokens/session-id';
import { Passkey, PasskeyUser } from './passkey.entity';

/** The row key of a credential id (base64url): SHA-256 of its bytes, hex. */
export const credentialHash = (credentialId: string): string =>
  createHash('sha256').update(Buffer.from(credentialId, 'base64url')).digest('hex');

/** What registration stores of a verified credential. */
export interface NewPasskey {
  credentialId: string;
  publicKey: string;
  counter: number;
  transports: string[];
  name: string;
}

/** The rows of passkeys and user handles. Writes go through the caller's transaction. */
@Injectable()
export class PasskeyStore {
  constructor(@InjectRepository(Passkey) private readonly passkeys: Repository<Passkey>) {}

  /** The account's passkeys, oldest first. */
  listOf(accountId: number): Promise<Passkey[]> {
    return this.passkeys.find({ where: { accountId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /**
   * The passkey with this credential id, with its account and the account's user handle, in one
   * query: a sign-in reads all three, and each statement costs the main thread more than the
   * signature check does.
   */
  forSignIn(credentialId: string): Promise<(Passkey & { account: Account }) | null> {
    return this.passkeys
      .createQueryBuilder('p')
      .innerJoinAndSelect('p.account', 'a')
      .leftJoinAndMapOne('p.user', PasskeyUser, 'u', 'u.account_id = p.account_id')
      .where('p.credential_hash = :hash', { hash: credentialHash(credentialId) })
      .getOne() as Promise<(Passkey & { account: Account }) | null>;
  }

  existsCredential(manager: EntityManager, credentialId: string): Promise<boolean> {
    return manager.getRepository(Passkey).existsBy({ credentialHash: credentialHash(credentialId) });
  }

  /** The account's user handle, made (32 random bytes) and stored the first time. */
  async ensureHandle(manager: EntityManager, accountId: number): Promise<string> {
    const repo = manager.getRepository(PasskeyUser);
    const found = await repo.findOneBy({ accountId });
    if (found) return found.userHandle;
    const userHandle = randomBytes(32).toString('base64url');
    await repo.insert({ accountId, userHandle });
    return userHandle;
  }

  async add(manager: EntityManager, accountId: number, passkey: NewPasskey, now: number): Promise<Passkey> {
    const row = manager.getRepository(Passkey).create({
      publicId: newSessionId(),
      accountId,
      credentialHash: credentialHash(passkey.credentialId),
      credentialId: passkey.credentialId,
      publicKey: passkey.publicKey,
      counter: passkey.counter,
      transports: passkey.transports.length > 0 ? passkey.transports.join(',') : null,
      name: passkey.name,
      createdAt: now,
      lastUsedAt: null,
    });
    return manager.getRepository(Passkey).save(row);
  }

  /**
   * Records a sign-in with the passkey: its new counter and when. Conditional on the counter
   * still being below the new one (or both zero, an authenticator that keeps none), so that of two
   * sign-ins racing with one counter value only one gets through. True when this one did.
   */
  async use(manager: EntityManager, id: number, counter: number, now: number): Promise<boolean> {
    const { affected } = await manager
      .getRepository(Passkey)
      .createQueryBuilder()
      .update()
      .set({ counter, lastUsedAt: now })
      .where('id = :id', { id })
      .andWhere('(counter < :counter OR (counter = 0 AND :zero = 0))', { counter, zero: counter })
      .execute();
    return affected === 1;
  }

  /** Deletes the account's passkey with this public id; false when it has none. */
  async remove(manager: EntityManager, accountId: number, publicId: string): Promise<Passkey | null> {
    if (!isSessionIdShaped(publicId)) return null;
    const repo = manager.getRepository(Passkey);
    const row = await repo.findOneBy({ accountId, publicId });
    if (!row) return null;
    await repo.delete({ id: row.id });
    return row;
  }
}
