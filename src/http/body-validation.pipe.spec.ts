import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestException } from '@nestjs/common';
import { IsString, Length, ValidateIf } from 'class-validator';
import { BodyValidationPipe, PlainStringBody } from './body-validation.pipe';

class Credentials {
  @IsString()
  login!: string;

  @IsString()
  password!: string;
}

const pipe = new BodyValidationPipe();
const asBody = (metatype?: new (...args: never[]) => unknown) => ({ type: 'body' as const, metatype, data: undefined });

async function refusal(value: unknown, metatype: new (...args: never[]) => unknown = Credentials): Promise<string> {
  try {
    await pipe.transform(value, asBody(metatype));
  } catch (error) {
    assert.ok(error instanceof BadRequestException, `not a 400: ${String(error)}`);
    return String((error.getResponse() as { message: unknown }).message);
  }
  assert.fail(`accepted ${JSON.stringify(value)}`);
}

@PlainStringBody()
class Lookup {
  @IsString()
  token!: string;

  @ValidateIf((body: { hint?: unknown }) => body.hint !== undefined)
  @IsString()
  hint?: string;
}

@PlainStringBody()
class Misdeclared {
  @IsString()
  @Length(1, 4)
  code!: string;
}

describe('BodyValidationPipe', () => {
  it('takes a @PlainStringBody quickly when valid, and answers it as any other body when not', async () => {
    for (const value of [{ token: 'a' }, { token: 'a', hint: 'b' }]) {
      const dto = await pipe.transform(value, asBody(Lookup));
      assert.ok(dto instanceof Lookup);
      assert.deepEqual(JSON.parse(JSON.stringify(dto)), value);
    }
    for (const value of [
      {},
      { token: 1 },
      { token: null },
      { token: 'a', extra: 'x' },
      { token: 'a', hint: 2 },
      { hint: 'b' },
    ])
      assert.match(await refusal(value, Lookup), /token|hint|extra/, JSON.stringify(value));
    assert.match(await refusal(JSON.parse('{"token":"a","__proto__":"x"}'), Lookup), /__proto__/);
    await assert.rejects(pipe.transform({ code: 'abc' }, asBody(Misdeclared)), /other than @IsString/);
  });

  it('turns a valid body into the DTO', async () => {
    const dto = await pipe.transform({ login: 'alice', password: 'secret1' }, asBody(Credentials));
    assert.ok(dto instanceof Credentials);
    assert.deepEqual({ ...(dto as Credentials) }, { login: 'alice', password: 'secret1' });
  });

  it('refuses a body that is not a JSON object', async () => {
    for (const value of [null, undefined, 'text', 7, true, [], [{ login: 'a', password: 'b' }]]) {
      assert.equal(await refusal(value), 'the body must be a JSON object');
    }
  });

  it('refuses wrong types, missing and unknown fields, naming the field', async () => {
    assert.match(await refusal({ login: 5, password: 'x' }), /login must be a string/);
    assert.match(await refusal({ login: 'a' }), /password must be a string/);
    assert.match(await refusal({ login: 'a', password: 'b', admin: true }), /property admin should not exist/);
    assert.match(
      await refusal({ login: ['a'], password: { x: 1 } }),
      /login must be a string.*password must be a string/,
    );
  });

  it('refuses prototype keys and deep nesting before class-transformer reads them', async () => {
    assert.match(await refusal(JSON.parse('{"__proto__":{"x":1},"login":"a","password":"b"}')), /__proto__/);
    let deep: unknown = 'x';
    for (let i = 0; i < 50; i++) deep = { d: deep };
    assert.equal(await refusal({ login: 'a', password: 'b', extra: deep }), 'the body is nested too deeply');
  });

  it('passes a plain string or number through where the handler asks for one', async () => {
    assert.equal(await pipe.transform('hello', asBody(String)), 'hello');
    assert.equal(await pipe.transform(42, asBody(Number)), 42);
    assert.deepEqual(await pipe.transform({ any: 'thing' }, asBody(Object)), { any: 'thing' });
  });
});
