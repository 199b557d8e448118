import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestException, HttpException, Logger, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { tooManyAttempts } from '../errors/domain-error';
import { SharedStoreUnavailableError } from '../shared-store/shared-store-errors';
import { errorReply } from './error-reply';
import { RefusedBodyException } from './route-dialect';

Logger.overrideLogger(false);

describe('errorReply', () => {
  it("keeps an HttpException's status and message, in the shape of the dialect asked for", () => {
    const refusal = new UnauthorizedException('a token is required');
    assert.deepEqual(errorReply(refusal, 'classic'), {
      status: 401,
      body: { error: 'Unauthorized', message: 'a token is required' },
      headers: {},
    });
    assert.deepEqual(errorReply(refusal, 'birdhouse'), {
      status: 401,
      body: { status: 'error', error: 'Unauthorized', message: 'a token is required' },
      headers: {},
    });
  });

  it('joins a list of validation messages', () => {
    const reply = errorReply(
      new BadRequestException({ message: ['handle must be a string', 'pwd should not be empty'] }),
      'classic',
    );
    assert.deepEqual(reply.body, { error: 'Bad Request', message: 'handle must be a string; pwd should not be empty' });
  });

  it('answers with the headers an exception carries: Retry-After of a 429, Connection of a refused upload', () => {
    const limited = errorReply(tooManyAttempts('too many attempts', 42), 'birdhouse');
    assert.equal(limited.status, 429);
    assert.deepEqual(limited.headers, { 'Retry-After': '42' });
    assert.deepEqual(errorReply(new RefusedBodyException(413, 'the body is larger than 64 KiB', true), 'classic'), {
      status: 413,
      body: { error: 'Payload Too Large', message: 'the body is larger than 64 KiB' },
      headers: { Connection: 'close' },
    });
    assert.deepEqual(
      errorReply(new RefusedBodyException(400, 'the body is not valid JSON', false), 'classic').headers,
      {},
    );
  });

  it('ignores a headers field that is not a record of strings, and headers on anything but an HttpException', () => {
    const odd = Object.assign(new HttpException('x', 400), { headers: { 'Retry-After': 5, 'X-Ok': 'yes' } });
    assert.deepEqual(errorReply(odd, 'classic').headers, { 'X-Ok': 'yes' });
    const foreign = Object.assign(new Error('boom'), { headers: { 'Set-Cookie': 'a=b' } });
    assert.deepEqual(errorReply(foreign, 'classic').headers, {});
  });

  it("rewords Nest's 404 for an unmatched path instead of quoting the URL back", () => {
    assert.deepEqual(errorReply(new NotFoundException('Cannot POST /nope?<script>'), 'classic').body, {
      error: 'Not Found',
      message: 'no such endpoint',
    });
    assert.deepEqual(errorReply(new NotFoundException('not a live session of this account'), 'birdhouse').body, {
      status: 'error',
      error: 'Not Found',
      message: 'not a live session of this account',
    });
  });

  it('answers a 5xx HttpException other than 503 without its message', () => {
    assert.deepEqual(errorReply(new HttpException('pool internals at 10.0.0.5', 502), 'classic'), {
      status: 502,
      body: { error: 'Bad Gateway' },
      headers: {},
    });
    assert.deepEqual(errorReply(new HttpException('draining', 503), 'classic').body, {
      error: 'Service Unavailable',
      message: 'draining',
    });
  });

  it('is 400 with its message for a WsException', () => {
    assert.deepEqual(errorReply(new WsException('unknown room'), 'birdhouse').body, {
      status: 'error',
      error: 'Bad Request',
      message: 'unknown room',
    });
    assert.deepEqual(errorReply(new WsException({ detail: 1 }), 'birdhouse').body, {
      status: 'error',
      error: 'Bad Request',
    });
  });

  it('is 503 while the database or the shared store cannot be reached', () => {
    const database = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), { code: 'ECONNREFUSED' });
    assert.deepEqual(errorReply(database, 'birdhouse'), {
      status: 503,
      body: { status: 'error', error: 'Service Unavailable', message: 'database unavailable, try again shortly' },
      headers: {},
    });
    const store = new SharedStoreUnavailableError(Object.assign(new Error('gone'), { code: 'ECONNRESET' }));
    assert.deepEqual(errorReply(store, 'classic'), {
      status: 503,
      body: { error: 'Service Unavailable', message: 'temporarily unavailable, try again shortly' },
      headers: {},
    });
  });

  it('is a bare 500 for anything unforeseen: no message, no stack', () => {
    for (const unforeseen of [
      new TypeError("Cannot read properties of undefined (reading 'id')"),
      'a thrown string',
      null,
      { code: 'ER_PARSE_ERROR' },
    ]) {
      const reply = errorReply(unforeseen, 'classic');
      assert.deepEqual(reply, { status: 500, body: { error: 'Internal Server Error' }, headers: {} });
    }
    assert.deepEqual(errorReply(new Error('x'), 'birdhouse').body, { status: 'error', error: 'Internal Server Error' });
  });
});
