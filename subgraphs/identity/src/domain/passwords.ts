import argon2 from 'argon2';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  /** Spends the time of one verification, so an unknown username answers as slowly as a known one. */
  burn(password: string): Promise<void>;
}

export async function createPasswordHasher(opts: { memoryCost: number; timeCost: number }): Promise<PasswordHasher> {
  const params = { type: argon2.argon2id as 2, memoryCost: opts.memoryCost, timeCost: opts.timeCost, parallelism: 1 };
  const decoy = await argon2.hash('plaza-decoy-password', params);
  return {
    hash: (password) => argon2.hash(password, params),
    verify: async (hash, password) => {
      try {
        return await argon2.verify(hash, password);
      } catch {
        return false;
      }
    },
    burn: async (password) => {
      await argon2.verify(decoy, password).catch(() => false);
    },
  };
}
