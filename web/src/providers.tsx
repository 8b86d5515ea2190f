import { MantineProvider } from '@mantine/core';
import { ModalsProvider } from '@mantine/modals';
import { Notifications } from '@mantine/notifications';
import { QueryClient, QueryClientProvider, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type ReactNode } from 'react';
import { ApiError } from './api/errors.ts';
import { AppContextProvider, useSessionStore } from './auth/context.tsx';
import type { SessionStore } from './auth/session-store.ts';
import { theme } from './theme.ts';

/** Client errors (bad request, forbidden, not found) do not get better by asking again. */
function shouldRetry(failures: number, err: unknown): boolean {
  if (err instanceof ApiError && err.status >= 400 && err.status < 500) return false;
  return failures < 2;
}

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: shouldRetry, staleTime: 2_000, refetchOnWindowFocus: true },
      mutations: { retry: false },
    },
  });
}

/** Drops cached data when the session ends, so the next person to log in never sees the last one's. */
function CacheResetOnLogout() {
  const sessions = useSessionStore();
  const queryClient = useQueryClient();
  useEffect(
    () =>
      sessions.subscribe(() => {
        if (!sessions.get()) queryClient.clear();
      }),
    [sessions, queryClient],
  );
  return null;
}

export interface ProvidersProps {
  children: ReactNode;
  fetch?: typeof fetch;
  sessions?: SessionStore;
  queryClient?: QueryClient;
  /** 'test' turns Mantine's transitions and portals off (component tests in jsdom). */
  env?: 'default' | 'test';
}

/** Theme, modals, toasts, query cache and the API client + session: everything a page needs around it. */
export function Providers({ children, fetch, sessions, queryClient, env = 'default' }: ProvidersProps) {
  const [client] = useState(() => queryClient ?? makeQueryClient());
  return (
    <MantineProvider theme={theme} defaultColorScheme="light" env={env}>
      <Notifications position="top-right" limit={4} />
      <QueryClientProvider client={client}>
        <AppContextProvider {...(fetch ? { fetch } : {})} {...(sessions ? { sessions } : {})}>
          <CacheResetOnLogout />
          <ModalsProvider>{children}</ModalsProvider>
        </AppContextProvider>
      </QueryClientProvider>
    </MantineProvider>
  );
}
