import { sha256Hex } from './util.js';

/**
 * Casdoor's credential managers for the password types the sandbox seeds: "plain" stores the password,
 * "salt" and "sha256-salt" store sha256(sha256(password) + organization salt) as hex. Other types fall
 * back to plain, as the sandbox has no manager for them.
 */
export function hashPassword(passwordType: string, password: string, organizationSalt: string): string {
  if (passwordType !== 'salt' && passwordType !== 'sha256-salt') return password;
  const hashed = sha256Hex(password);
  return organizationSalt === '' ? hashed : sha256Hex(hashed + organizationSalt);
}

export function isPasswordCorrect(passwordType: string, plain: string, stored: string, organizationSalt: string): boolean {
  return stored !== '' && hashPassword(passwordType, plain, organizationSalt) === stored;
}
