import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Role } from '../../api/types.ts';
import { fakeApi, fixtures, renderApp, sessionAs } from '../../test/harness.tsx';

const models = [
  fixtures.model({ model_uid: 'alpha', model_name: 'org/alpha', state: 'running' }),
  fixtures.model({
    model_uid: 'beta',
    model_name: 'org/beta',
    state: 'downloading',
    ready_replicas: 0,
    download: { bytes_done: 512, bytes_total: 1024, percent: 50, replicas: 1 },
  }),
  fixtures.model({
    model_uid: 'gamma',
    model_name: 'org/gamma',
    state: 'failed',
    ready_replicas: 0,
    state_reason: 'needs 2 x 40 GiB; best node n3 has 1 x 80 GiB free',
  }),
  fixtures.model({
    model_uid: 'delta',
    model_name: 'org/delta',
    state: 'stopped',
    desired_state: 'stopped',
    ready_replicas: 0,
    total_replicas: 0,
  }),
];
const counts = { running: 1, downloading: 1, failed: 1, stopped: 1 };

function setup(role: Role) {
  const api = fakeApi({
    'GET /api/v2/models': ({ query }) => {
      const state = query.get('state');
      const q = query.get('q');
      return fixtures.modelList(
        models.filter((m) => (!state || m.state === state) && (!q || m.model_uid.includes(q))),
        counts,
      );
    },
    'PUT /api/v2/models/alpha/scale': ({ body }) =>
      fixtures.model({ model_uid: 'alpha', desired_replicas: (body as { replicas: number }).replicas }),
    'POST /api/v2/models/alpha/stop': () => fixtures.model({ model_uid: 'alpha', state: 'stopping' }),
    'POST /api/v2/models/delta/start': () => fixtures.model({ model_uid: 'delta', state: 'starting' }),
    'DELETE /api/v2/models/gamma': () => ({ model_uid: 'gamma', deleted: true, purge: 'requested' }),
  });
  renderApp({ route: '/models', fetch: api.fetch, sessions: sessionAs(role) });
  return { api, user: userEvent.setup() };
}

describe('models page', () => {
  it('shows aggregated states as badges, failure reasons and download progress', async () => {
    setup('viewer');
    const table = await screen.findByTestId('models-table');
    expect(within(table).getAllByRole('row')).toHaveLength(5);
    const badge = (uid: string) => screen.getByTestId(`model-row-${uid}`).querySelector('[data-state]');
    expect(badge('alpha')).toHaveAttribute('data-state', 'running');
    expect(badge('gamma')).toHaveAttribute('data-state', 'failed');
    expect(within(screen.getByTestId('model-row-gamma')).getByText(/needs 2 x 40 GiB/)).toBeInTheDocument();
    expect(within(screen.getByTestId('model-row-beta')).getByTestId('download-summary')).toHaveTextContent(
      '50%',
    );
  });

  it('filters by state and search through the API, with counts', async () => {
    const { api, user } = setup('viewer');
    await screen.findByTestId('models-table');
    await user.click(within(screen.getByTestId('state-filter')).getByRole('button', { name: /failed 1/ }));
    await waitFor(() =>
      expect(api.callsTo('GET', '/api/v2/models').some((c) => c.query.get('state') === 'failed')).toBe(true),
    );
    await waitFor(() => expect(screen.queryByTestId('model-row-alpha')).toBeNull());
    expect(screen.getByTestId('model-row-gamma')).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent('/models?state=failed');

    await user.click(within(screen.getByTestId('state-filter')).getByRole('button', { name: /All/ }));
    await user.type(screen.getByLabelText('Search models'), 'bet');
    await waitFor(() =>
      expect(api.callsTo('GET', '/api/v2/models').some((c) => c.query.get('q') === 'bet')).toBe(true),
    );
    // one request for the whole word, not one per key
    expect(
      api
        .callsTo('GET', '/api/v2/models')
        .filter((c) => c.query.get('q') === 'b' || c.query.get('q') === 'be'),
    ).toHaveLength(0);
  });

  it('hides every write action from viewers', async () => {
    setup('viewer');
    await screen.findByTestId('models-table');
    expect(screen.queryByRole('button', { name: 'Load model' })).toBeNull();
    expect(screen.queryByRole('button', { name: /^(Start|Stop|Scale|Delete) / })).toBeNull();
  });

  it('lets operators start, stop and scale, but not delete', async () => {
    const { api, user } = setup('operator');
    await screen.findByTestId('models-table');
    expect(screen.getByRole('button', { name: 'Load model' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Delete gamma' })).toBeNull();

    await user.click(screen.getByRole('button', { name: 'Scale alpha' }));
    const dialog = await screen.findByRole('dialog', { name: 'Scale alpha' });
    const input = within(dialog).getByLabelText('Replicas');
    await user.clear(input);
    await user.type(input, '3');
    await user.click(within(dialog).getByRole('button', { name: 'Scale' }));
    await waitFor(() =>
      expect(api.callsTo('PUT', '/api/v2/models/alpha/scale')[0]?.body).toEqual({ replicas: 3 }),
    );

    await user.click(screen.getByRole('button', { name: 'Start delta' }));
    await waitFor(() => expect(api.callsTo('POST', '/api/v2/models/delta/start')).toHaveLength(1));

    await user.click(screen.getByRole('button', { name: 'Stop alpha' }));
    const confirm = await screen.findByRole('dialog', { name: 'Stop alpha?' });
    expect(api.callsTo('POST', '/api/v2/models/alpha/stop')).toHaveLength(0);
    await user.click(within(confirm).getByRole('button', { name: 'Stop model' }));
    await waitFor(() => expect(api.callsTo('POST', '/api/v2/models/alpha/stop')).toHaveLength(1));
  });

  it('disables Scale for an autoscaled model, naming the policy (the server would refuse it)', async () => {
    const autoscaled = fixtures.model({
      model_uid: 'auto',
      deployment: {
        replicas: 2,
        node_selector: {},
        placement_strategy: 'binpack',
        autoscaling: {
          min_replicas: 1,
          max_replicas: 4,
          target: { metric: 'inflight', value: 8 },
          scale_up_window: '0s',
          scale_down_window: '5m',
          dry_run: false,
        },
      },
    });
    const api = fakeApi({ 'GET /api/v2/models': () => fixtures.modelList([autoscaled, models[0]!], counts) });
    renderApp({ route: '/models', fetch: api.fetch, sessions: sessionAs('operator') });
    const user = userEvent.setup();
    await screen.findByTestId('models-table');
    expect(screen.getByRole('button', { name: 'Scale auto' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Scale alpha' })).toBeEnabled();
    await user.hover(screen.getByRole('button', { name: 'Scale auto' }).parentElement!);
    expect(
      await screen.findByText('Autoscaled (1-4 replicas): change the autoscaling policy instead'),
    ).toBeInTheDocument();
  });

  it('lets admins delete after confirming, optionally purging the cache', async () => {
    const { api, user } = setup('admin');
    await screen.findByTestId('models-table');
    await user.click(screen.getByRole('button', { name: 'Delete gamma' }));
    const confirm = await screen.findByRole('dialog', { name: 'Delete gamma?' });
    await user.click(within(confirm).getByRole('checkbox'));
    await user.click(within(confirm).getByRole('button', { name: 'Delete model' }));
    await waitFor(() => expect(api.callsTo('DELETE', '/api/v2/models/gamma')).toHaveLength(1));
    expect(api.callsTo('DELETE', '/api/v2/models/gamma')[0]?.query.get('purge')).toBe('true');
  });
});
