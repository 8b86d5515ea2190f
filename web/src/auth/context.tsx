import { createContext, useContext, useMemo, useSyncExternalStore, type ReactNode } from 'react';
import { createClient, type NebulaClient } from '../../../src/client/client.ts';
import { readCookie } from '../api/cookie.ts';
import type { Role } from '../api/types.ts';
import { SessionStore, type Session } from './session-store.ts';

/** The control API as the console calls it. */
export type Api = NebulaClient;

interface AppContextValue {
  api: Api;
  sessions: SessionStore;
}

const AppContext = createContext<AppContextValue | null>(null);

export interface AppContextProviderProps {
  children: ReactNode;
  /** Injected in tests: a fake fetch and an in-memory session store. */
  fetch?: typeof fetch;
  sessions?: SessionStore;
  baseUrl?: string;
}

/**
 * Holds the session store and the API client. The session token travels in an HttpOnly cookie the
 * browser sends by itself; the client echoes the CSRF cookie in a header, and ends the session on 401.
 */
export function AppContextProvider({ children, fetch, sessions, baseUrl }: AppContextProviderProps) {
  const value = useMemo<AppContextValue>(() => {
    const store = sessions ?? new SessionStore();
    // The typed client of src/client: same origin, cookie session (no bearer), no client-side timeout.
    const api = createClient({
      baseUrl: baseUrl ?? '',
      timeoutMs: 0,
      hasSession: () => store.get() !== null,
      csrfToken: () => readCookie('nebula_csrf'),
      onUnauthorized: () => store.clear('expired'),
      ...(fetch ? { fetch } : {}),
    });
    return { api, sessions: store };
  }, [fetch, sessions, baseUrl]);
  return <AppContext.Provider value={value}>{children}</AppContext.Provider>;
}

function useAppContext(): AppContextValue {
  const v = useContext(AppContext);
  if (!v) throw new Error('AppContextProvider is missing');
  return v;
}

/** The typed control API client. */
export function useApi(): Api {
  return useAppContext().api;
}

export function useSessionStore(): SessionStore {
  return useAppContext().sessions;
}

/** The current session (null when logged out); re-renders on login, logout and expiry. */
export function useSession(): Session | null {
  const store = useSessionStore();
  return useSyncExternalStore(store.subscribe, store.get, store.get);
}

export interface Permissions {
  role: Role;
  /** operator or admin: may start, stop, scale, create, import. */
  canOperate: boolean;
  /** admin: may delete models, manage users, keys, read the audit log. */
  isAdmin: boolean;
}

/** What the UI shows to the current role. The server enforces the same table; this only hides buttons. */
export function permissionsFor(role: Role): Permissions {
  return { role, canOperate: role === 'operator' || role === 'admin', isAdmin: role === 'admin' };
}

export function usePermissions(): Permissions {
  const s = useSession();
  return permissionsFor(s?.role ?? 'viewer');
}
