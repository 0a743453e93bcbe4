/** The bearer token, kept in sessionStorage (gone when the tab closes), and its claims for display only. */
const KEY = 'chronicle.token';

export type Role = 'customer' | 'teller' | 'auditor' | 'admin';

export interface Claims {
  sub: string;
  roles: Role[];
  exp?: number;
}

export function storedToken(): string | null {
  return sessionStorage.getItem(KEY);
}

export function storeToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(KEY);
}

const ROLES: readonly Role[] = ['customer', 'teller', 'auditor', 'admin'];

function base64UrlJson(part: string): unknown {
  const base64 = part.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

function rolesIn(value: unknown): Role[] {
  const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(' ') : [];
  return list.filter((r): r is Role => ROLES.includes(r as Role));
}

/**
 * The token's payload, decoded without verification: it only decides what the console shows. The server verifies
 * every call and is the authority (a 401 sends back to sign-in, a 403 shows a message).
 */
export function claimsOf(token: string): Claims | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const payload = base64UrlJson(parts[1]) as Record<string, unknown>;
    if (typeof payload !== 'object' || payload === null) return null;
    const realm = payload.realm_access as { roles?: unknown } | undefined;
    const roles = rolesIn(payload.roles).concat(rolesIn(realm?.roles));
    return {
      sub: typeof payload.sub === 'string' ? payload.sub : '',
      roles: [...new Set(roles)],
      exp: typeof payload.exp === 'number' ? payload.exp : undefined,
    };
  } catch {
    return null;
  }
}

export const isStaff = (claims: Claims) =>
  claims.roles.includes('auditor') || claims.roles.includes('admin');
export const isAdmin = (claims: Claims) => claims.roles.includes('admin');
/** Raw events (a stream's, a correlation's, the live tail) are the auditor's: they carry every context's personal data. */
export const isAuditor = (claims: Claims) => claims.roles.includes('auditor');
