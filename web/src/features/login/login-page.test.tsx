import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { apiError, fakeApi, fixtures, renderApp, sessionAs } from '../../test/harness.tsx';
import { safeNext } from './login-page.tsx';

const overview = {
  nodes: { total: 0, online: 0, offline: 0, cordoned: 0 },
  gpus: { total: 0, memory_total_bytes: 0, memory_used_bytes: 0, memory_reserved_bytes: 0 },
  endpoints: { total: 0, by_status: {} },
  placements: { total: 0, unplaced: 0, replicas: 0 },
  requests: { total: 0, by_status: {} },
  models: { total: 0, by_state: {} },
  alerts: { total: 0, critical: 0 },
  scheduler_leader: null,
  store_revision: 1,
  generated_at: new Date().toISOString(),
};

describe('login', () => {
  it('sends people without a session to login, shows the server refusal, then logs in', async () => {
    const api = fakeApi({
      'POST /api/v2/auth/login': ({ body }) => {
        const b = body as { username: string; password: string };
        if (b.password !== 'right-password')
          return apiError(401, 'UNAUTHORIZED', 'invalid username or password');
        return {
          token: 'jwt-1',
          token_type: 'Bearer',
          expires_at: new Date(Date.now() + 3600_000).toISOString(),
          username: b.username,
          role: 'operator',
        };
      },
      'GET /api/v2/models': () => fixtures.modelList([]),
    });
    const sessions = sessionAs(null);
    renderApp({ route: '/models', fetch: api.fetch, sessions });
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/login?next=%2Fmodels'));
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Username'), 'ann');
    await user.type(screen.getByLabelText('Password'), 'wrong');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByTestId('login-error')).toHaveTextContent('invalid username or password');
    expect(sessions.get()).toBeNull();

    await user.clear(screen.getByLabelText('Password'));
    await user.type(screen.getByLabelText('Password'), 'right-password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent(/^\/models$/));
    expect(sessions.get()).toMatchObject({ username: 'ann', role: 'operator' });
    // The token stays in the server's HttpOnly cookie: the console keeps no copy of it.
    expect(sessions.get()).not.toHaveProperty('token');
    expect(JSON.stringify(window.localStorage)).not.toContain('jwt-1');
    expect(within(screen.getByTestId('user-menu')).getByText('ann')).toBeInTheDocument();
    expect(screen.getByTestId('user-role')).toHaveTextContent('operator');
    // The next requests go out without a script-held token (the browser adds the session cookie).
    await waitFor(() => expect(api.callsTo('GET', '/api/v2/models').length).toBeGreaterThan(0));
    expect(api.callsTo('GET', '/api/v2/models').at(-1)?.headers.get('authorization')).toBeNull();
  });

  it('goes back to login with a notice when the server says the token expired', async () => {
    const api = fakeApi({
      'GET /api/overview': () => apiError(401, 'UNAUTHORIZED', 'token expired'),
      'GET /api/v2/nodes': () => ({ items: [] }),
      'GET /api/health': () => apiError(401, 'UNAUTHORIZED', 'token expired'),
      'GET /api/metrics/router': () => apiError(401, 'UNAUTHORIZED', 'token expired'),
    });
    const sessions = sessionAs('viewer');
    renderApp({ route: '/', fetch: api.fetch, sessions });
    expect(await screen.findByTestId('session-expired')).toHaveTextContent('Your session expired');
    expect(sessions.get()).toBeNull();
    expect(screen.getByTestId('location')).toHaveTextContent('/login');
  });

  it('logs out from the user menu', async () => {
    const api = fakeApi({
      'GET /api/overview': () => overview,
      'GET /api/v2/nodes': () => ({ items: [] }),
      'GET /api/v2/alerts': () => ({ items: [] }),
    });
    const sessions = sessionAs('admin');
    renderApp({ route: '/', fetch: api.fetch, sessions });
    const user = userEvent.setup();
    await user.click(await screen.findByTestId('user-menu'));
    await user.click(await screen.findByRole('menuitem', { name: 'Log out' }));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/login'));
    expect(screen.queryByTestId('session-expired')).toBeNull();
  });

  it('follows only same-app paths after login', () => {
    expect(safeNext('/models/x')).toBe('/models/x');
    expect(safeNext('//evil.example')).toBe('/');
    expect(safeNext('https://evil.example')).toBe('/');
    expect(safeNext('/login')).toBe('/');
    expect(safeNext(null)).toBe('/');
  });
});
