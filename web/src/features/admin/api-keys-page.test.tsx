import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { type Call, fakeApi, renderApp, sessionAs } from '../../test/harness.tsx';
import { keyStatus, rateText } from './api-keys-page.tsx';

const key = (id: string, name: string, over: Record<string, unknown> = {}) => ({
  id,
  name,
  prefix: 'nbk_abcd',
  role: 'viewer',
  owner: 'admin',
  created_at: '2025-01-01T00:00:00.000Z',
  expires_at: null,
  revoked_at: null,
  last_used_at: null,
  ...over,
});

describe('API keys', () => {
  it('shows a new key secret once, with a copy button, and revokes after confirming', async () => {
    let keys = [key('aaaaaaaa', 'existing')];
    const api = fakeApi({
      'GET /api/v2/auth/api-keys': () => ({ items: keys }),
      'POST /api/v2/auth/api-keys': ({ body }: Call) => {
        const b = body as { name: string; role: string };
        const k = key('bbbbbbbb', b.name, { role: b.role });
        keys = [...keys, k];
        return { ...k, key: 'nbk_secret_value_123' };
      },
      'DELETE /api/v2/auth/api-keys/aaaaaaaa': () => ({ ok: true }),
    });
    renderApp({ route: '/api-keys', fetch: api.fetch, sessions: sessionAs('admin') });
    const user = userEvent.setup();
    await screen.findByTestId('keys-table');
    expect(api.callsTo('GET', '/api/v2/auth/api-keys')[0]?.query.get('all')).toBe('true');

    await user.click(screen.getByRole('button', { name: 'New key' }));
    const dialog = await screen.findByRole('dialog', { name: 'New API key' });
    await user.type(within(dialog).getByLabelText(/Name/), 'ci');
    await user.click(within(dialog).getByRole('button', { name: 'Create key' }));
    expect(await screen.findByTestId('new-key-secret')).toHaveTextContent('nbk_secret_value_123');
    expect(api.callsTo('POST', '/api/v2/auth/api-keys')[0]?.body).toEqual({
      name: 'ci',
      role: 'viewer',
      expires_in: '90d',
    });
    const secretDialog = screen.getByRole('dialog', { name: 'Copy your new API key' });
    expect(within(secretDialog).getByRole('button', { name: 'Copy' })).toBeInTheDocument();
    await user.click(within(secretDialog).getByRole('button', { name: 'I have stored the key' }));
    await waitFor(() => expect(screen.queryByText('nbk_secret_value_123')).toBeNull());
    expect(await within(screen.getByTestId('keys-table')).findByText('ci')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Revoke existing' }));
    await user.click(
      within(await screen.findByRole('dialog', { name: 'Revoke key "existing"?' })).getByRole('button', {
        name: 'Revoke key',
      }),
    );
    await waitFor(() => expect(api.callsTo('DELETE', '/api/v2/auth/api-keys/aaaaaaaa')).toHaveLength(1));
  });

  it('sets a rate limit at creation and changes it later', async () => {
    let keys = [key('aaaaaaaa', 'existing', { rate_limit: { rps: 1, burst: 5 } })];
    const api = fakeApi({
      'GET /api/v2/auth/api-keys': () => ({ items: keys }),
      'POST /api/v2/auth/api-keys': ({ body }: Call) => {
        const k = key('bbbbbbbb', (body as { name: string }).name, { rate_limit: { rps: 1 } });
        keys = [...keys, k];
        return { ...k, key: 'nbk_secret_value_456' };
      },
      'PATCH /api/v2/auth/api-keys/aaaaaaaa': () => {
        keys = [key('aaaaaaaa', 'existing', { rate_limit: { rps: 10 } })];
        return keys[0];
      },
    });
    renderApp({ route: '/api-keys', fetch: api.fetch, sessions: sessionAs('admin') });
    const user = userEvent.setup();
    expect(await screen.findByTestId('rate-aaaaaaaa')).toHaveTextContent('1/s:burst=5');

    await user.click(screen.getByRole('button', { name: 'New key' }));
    const dialog = await screen.findByRole('dialog', { name: 'New API key' });
    await user.type(within(dialog).getByLabelText(/Name/), 'batch');
    await user.type(within(dialog).getByRole('textbox', { name: /Rate limit/ }), '60/min');
    await user.click(within(dialog).getByRole('button', { name: 'Create key' }));
    await screen.findByTestId('new-key-secret');
    expect(api.callsTo('POST', '/api/v2/auth/api-keys')[0]?.body).toMatchObject({
      name: 'batch',
      rate_limit: '60/min',
    });
    await user.click(screen.getByRole('button', { name: 'I have stored the key' }));

    await user.click(screen.getByRole('button', { name: 'Rate limit of existing' }));
    const edit = await screen.findByRole('dialog', { name: 'Rate limit' });
    await user.type(within(edit).getByRole('textbox', { name: /Rate limit/ }), '10/s');
    await user.click(within(edit).getByRole('button', { name: 'Save' }));
    expect(await api.sentOnce('PATCH', '/api/v2/auth/api-keys/aaaaaaaa')).toEqual({ rate_limit: '10/s' });
    await waitFor(() => expect(screen.getByTestId('rate-aaaaaaaa')).toHaveTextContent('10/s'));
  });

  it('writes rates as people do', () => {
    expect(rateText(null)).toBe('default');
    expect(rateText({ rps: 0.5, burst: 5 })).toBe('30/min:burst=5');
    expect(rateText({ rps: 1 / 3600 })).toBe('1/h');
  });

  it('derives key status from its dates', () => {
    const now = Date.parse('2025-06-01T00:00:00Z');
    expect(keyStatus({ revoked_at: null, expires_at: null }, now)).toBe('active');
    expect(keyStatus({ revoked_at: '2025-01-01T00:00:00Z', expires_at: null }, now)).toBe('revoked');
    expect(keyStatus({ revoked_at: null, expires_at: '2025-05-01T00:00:00Z' }, now)).toBe('expired');
    expect(keyStatus({ revoked_at: null, expires_at: '2025-07-01T00:00:00Z' }, now)).toBe('active');
  });
});
