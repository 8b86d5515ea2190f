import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { fakeApi, fixtures, renderApp, sessionAs } from '../../test/harness.tsx';

const now = new Date().toISOString();
const base = fixtures.model({ model_uid: 'tiny', model_name: 'org/tiny', state: 'running' });
const detail = {
  ...base,
  spec: {
    ...base.spec,
    adapters: [{ name: 'sql', source: 'huggingface', model_id: 'org/sql-lora' }],
  },
  resource_version: 42,
  plan: null,
  endpoints: [
    {
      model_uid: 'tiny',
      replica_id: 0,
      node_id: 'n1',
      address: '127.0.0.1',
      port: 40000,
      engine_type: 'llamacpp',
      served_model_name: 'tiny',
      status: 'ready',
      plan_version: 1,
      gpu_indices: [],
      restarts: 0,
      adapters: [{ name: 'sql', id: 0 }],
      updated_at: now,
    },
  ],
  downloads: [],
  cache: [],
  events: [],
  stats: null,
};

describe('model detail: LoRA adapters', () => {
  it('lists adapters with where they are loaded; viewers cannot change them', async () => {
    const api = fakeApi({ 'GET /api/v2/models/tiny': () => detail });
    renderApp({ route: '/models/tiny', fetch: api.fetch, sessions: sessionAs('viewer') });
    const row = await screen.findByTestId('adapter-sql');
    expect(row).toHaveTextContent('org/sql-lora');
    expect(row).toHaveTextContent('1/1');
    expect(screen.queryByRole('button', { name: /Add adapter/ })).toBeNull();
    expect(screen.queryByRole('button', { name: /Remove adapter/ })).toBeNull();
  });

  it('operators add and remove adapters: a conditional spec update of the whole list', async () => {
    const api = fakeApi({ 'GET /api/v2/models/tiny': () => detail, 'PUT /api/v2/models/tiny': () => base });
    renderApp({ route: '/models/tiny', fetch: api.fetch, sessions: sessionAs('operator') });
    const card = await screen.findByTestId('adapters-card');
    const user = userEvent.setup();
    await user.type(within(card).getByLabelText('Name'), 'fr');
    await user.type(within(card).getByLabelText('Repository (org/name)'), 'org/fr-lora');
    await user.click(within(card).getByRole('button', { name: /Add adapter/ }));
    await waitFor(() => expect(api.callsTo('PUT', '/api/v2/models/tiny')).toHaveLength(1));
    expect(api.callsTo('PUT', '/api/v2/models/tiny')[0]?.body).toEqual({
      adapters: [
        { name: 'sql', source: 'huggingface', model_id: 'org/sql-lora' },
        { name: 'fr', source: 'huggingface', model_id: 'org/fr-lora' },
      ],
      resource_version: 42,
    });
    await user.click(within(card).getByRole('button', { name: 'Remove adapter sql' }));
    await waitFor(() => expect(api.callsTo('PUT', '/api/v2/models/tiny')).toHaveLength(2));
    expect(api.callsTo('PUT', '/api/v2/models/tiny')[1]?.body).toEqual({
      adapters: null,
      resource_version: 42,
    });
  });
});
