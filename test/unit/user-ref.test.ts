import fc from 'fast-check';
import { USER_REF_LENGTH, deriveUserRef, newAuditKey } from '../../functions/audit/user-ref';
import { UserRefs } from '../../functions/audit/user-refs';

/**
 * The audit trail's pseudonym of a user (docs/audit-trail.md): an HMAC of the user id under the
 * user's own random key, and the audit function's short-lived cache of it.
 */

const userIds = fc.string({ minLength: 1, maxLength: 256 }).filter((id) => !id.includes('#'));
const keys = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .map((bytes) => Buffer.from(bytes).toString('base64url'));

describe('deriveUserRef: HMAC-SHA-256 of the user id under the user’s key, base64url, 22 characters', () => {
  it('is stable: the same user and key give the same userRef, every time', () => {
    fc.assert(
      fc.property(userIds, keys, (userId, key) => {
        expect(deriveUserRef(userId, key)).toBe(deriveUserRef(userId, key));
      }),
    );
  });

  it('is 22 base64url characters, whatever the user id', () => {
    fc.assert(
      fc.property(userIds, keys, (userId, key) => {
        expect(deriveUserRef(userId, key)).toMatch(new RegExp(`^[A-Za-z0-9_-]{${USER_REF_LENGTH}}$`));
      }),
    );
  });

  it('another key gives another userRef for the same user (a new key after erasure is a new pseudonym)', () => {
    fc.assert(
      fc.property(userIds, keys, keys, (userId, key, other) => {
        fc.pre(key !== other);
        expect(deriveUserRef(userId, key)).not.toBe(deriveUserRef(userId, other));
      }),
    );
  });

  it('another user gives another userRef under the same key', () => {
    fc.assert(
      fc.property(userIds, userIds, keys, (userId, other, key) => {
        fc.pre(userId !== other);
        expect(deriveUserRef(userId, key)).not.toBe(deriveUserRef(other, key));
      }),
    );
  });

  it('never contains the user id, nor its base64url, nor a hash of the id alone (it depends on the key)', () => {
    const userId = 'user-7f3a';
    const key = newAuditKey();
    const userRef = deriveUserRef(userId, key);
    expect(userRef).not.toContain(userId);
    expect(userRef).not.toContain(Buffer.from(userId).toString('base64url').slice(0, 8));
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9_-]{4,40}$/), keys, (id, anyKey) => {
        expect(deriveUserRef(id, anyKey)).not.toContain(id);
      }),
    );
  });

  it('a thousand users under their own keys share no userRef', () => {
    const refs = new Set(Array.from({ length: 1000 }, (_, i) => deriveUserRef(`user-${i}`, newAuditKey())));
    expect(refs.size).toBe(1000);
  });

  it('new keys are 32 random bytes, base64url, never the same twice', () => {
    const made = Array.from({ length: 100 }, () => newAuditKey());
    for (const key of made) expect(Buffer.from(key, 'base64url')).toHaveLength(32);
    expect(new Set(made).size).toBe(100);
  });
});

/** An audit-keys table in memory: the key of a user, created on first use, deletable as erasure does. */
function keyTable() {
  const stored = new Map<string, string>();
  const calls: string[] = [];
  let failing: Error | undefined;
  return {
    stored,
    calls,
    failWith(error: Error | undefined) {
      failing = error;
    },
    async getOrCreateKey(userId: string): Promise<string> {
      calls.push(userId);
      await Promise.resolve();
      if (failing) throw failing;
      let key = stored.get(userId);
      if (key === undefined) stored.set(userId, (key = newAuditKey()));
      return key;
    },
  };
}

describe('UserRefs: the audit function’s cache of userRefs', () => {
  it('creates the key on first use and derives the userRef from it', async () => {
    const table = keyTable();
    const refs = new UserRefs(table);
    const userRef = await refs.userRefOf('alice');
    expect(table.stored.has('alice')).toBe(true);
    expect(userRef).toBe(deriveUserRef('alice', table.stored.get('alice')!));
  });

  it('a burst of events of one user reads the key once, concurrent lookups included', async () => {
    const table = keyTable();
    const refs = new UserRefs(table);
    const found = await Promise.all([
      refs.userRefOf('alice'),
      refs.userRefOf('alice'),
      refs.userRefOf('alice'),
    ]);
    await refs.userRefOf('alice');
    expect(new Set(found).size).toBe(1);
    expect(table.calls).toEqual(['alice']);
  });

  it('reads the key again once the entry is older than the TTL: a key deleted elsewhere is soon noticed', async () => {
    const table = keyTable();
    let now = 1_000_000;
    const refs = new UserRefs(table, { ttlMs: 60_000, now: () => now });
    const before = await refs.userRefOf('alice');
    table.stored.delete('alice');
    now += 59_999;
    expect(await refs.userRefOf('alice')).toBe(before);
    now += 1;
    const after = await refs.userRefOf('alice');
    expect(after).not.toBe(before);
    expect(table.calls).toEqual(['alice', 'alice']);
  });

  it('forget(userRef) drops that user at once: the next event gets the new key', async () => {
    const table = keyTable();
    const refs = new UserRefs(table);
    const alice = await refs.userRefOf('alice');
    const bob = await refs.userRefOf('bob');
    table.stored.delete('alice');
    refs.forget(alice);
    expect(refs.size).toBe(1);
    const aliceAgain = await refs.userRefOf('alice');
    expect(aliceAgain).not.toBe(alice);
    expect(await refs.userRefOf('bob')).toBe(bob);
    expect(table.calls).toEqual(['alice', 'bob', 'alice']);
  });

  it('is bounded: beyond maxEntries the oldest entry goes', async () => {
    const table = keyTable();
    const refs = new UserRefs(table, { maxEntries: 3 });
    for (const user of ['a', 'b', 'c', 'd']) await refs.userRefOf(user);
    expect(refs.size).toBe(3);
    await refs.userRefOf('b');
    await refs.userRefOf('a');
    expect(table.calls).toEqual(['a', 'b', 'c', 'd', 'a']);
  });

  it('a lookup that failed is not cached: the retry reads again', async () => {
    const table = keyTable();
    const refs = new UserRefs(table);
    table.failWith(Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' }));
    await expect(refs.userRefOf('alice')).rejects.toThrow('throttled');
    expect(refs.size).toBe(0);
    table.failWith(undefined);
    const userRef = await refs.userRefOf('alice');
    expect(userRef).toBe(deriveUserRef('alice', table.stored.get('alice')!));
    expect(table.calls).toEqual(['alice', 'alice']);
  });
});
