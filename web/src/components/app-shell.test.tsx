import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Role } from '../api/types.ts';
import { fakeApi, fixtures, renderApp, sessionAs } from '../test/harness.tsx';

async function navLabels(role: Role): Promise<string[]> {
  const api = fakeApi({ 'GET /api/v2/models': () => fixtures.modelList([]) });
  renderApp({ route: '/models', fetch: api.fetch, sessions: sessionAs(role) });
  const nav = await screen.findByRole('navigation', { name: 'Main navigation' });
  await userEvent.setup().click(within(nav).getByText('More'));
  await within(nav).findByRole('link', { name: 'Model Catalog' });
  return within(nav)
    .getAllByRole('link')
    .map((a) => a.textContent ?? '');
}

describe('console shell', () => {
  it('shows admin pages only to admins, and the Model Catalog under More to everyone', async () => {
    const viewer = await navLabels('viewer');
    expect(viewer).toEqual(
      expect.arrayContaining([
        'Overview',
        'Models',
        'Playground',
        'Templates',
        'Nodes',
        'Events',
        'Model Catalog',
      ]),
    );
    expect(viewer).not.toContain('Users');
    expect(viewer).not.toContain('API keys');
    expect(viewer).not.toContain('Audit log');
  });

  it('gives operators no user, key or audit administration', async () => {
    const op = await navLabels('operator');
    expect(op).toContain('Model Catalog');
    expect(op.filter((l) => ['Users', 'API keys', 'Audit log'].includes(l))).toEqual([]);
  });

  it('gives admins everything', async () => {
    expect(await navLabels('admin')).toEqual(
      expect.arrayContaining(['Users', 'API keys', 'Audit log', 'Model Catalog']),
    );
  });

  it('explains admin-only pages to others who type their address', async () => {
    const api = fakeApi({});
    renderApp({ route: '/users', fetch: api.fetch, sessions: sessionAs('operator') });
    expect(await screen.findByText('Admins only')).toBeInTheDocument();
    expect(api.callsTo('GET', '/api/v2/auth/users')).toHaveLength(0);
  });
});
