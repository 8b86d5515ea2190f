import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { fakeApi, fixtures, renderApp, sessionAs } from '../../test/harness.tsx';

const now = new Date().toISOString();
const detail = fixtures.modelDetail({
  model_uid: 'tiny',
  model_name: 'org/tiny',
  state: 'running',
  ready_replicas: 2,
  revision: 3,
  replicas_current: 1,
  rollout: {
    from_revision: 2,
    to_revision: 3,
    phase: 'progressing',
    updated_ready: 1,
    wanted: 2,
    started_at: now,
  },
});
const spec = { ...detail.spec };
const rev = (n: number, extra: Record<string, unknown>) => ({
  model_uid: 'tiny',
  revision: n,
  spec,
  created_by: 'user:alice',
  created_at: now,
  cause: 'update',
  changed: [],
  ...extra,
});
const revisions = {
  items: [
    rev(3, { changed: ['engine_config'] }),
    rev(2, { changed: ['description'], message: 'say what it is' }),
    rev(1, { cause: 'create' }),
  ],
  total: 3,
  offset: 0,
  limit: 100,
  current: 3,
};

function api() {
  return fakeApi({
    'GET /api/v2/models/tiny': () => detail,
    'GET /api/v2/models/tiny/revisions': () => revisions,
    'GET /api/v2/models/tiny/revisions/3/diff': () => ({
      model_uid: 'tiny',
      revision: 3,
      against: 2,
      changes: [{ path: 'engine_config.max_model_len', before: null, after: 8192 }],
    }),
    'POST /api/v2/models/tiny/rollback': () => ({
      model_uid: 'tiny',
      revision: 4,
      rollback_of: 2,
      changed: [],
    }),
  });
}

describe('model history panel', () => {
  it('lists revisions with the rollout status and a per-revision diff; operators roll back', async () => {
    const a = api();
    renderApp({ route: '/models/tiny', fetch: a.fetch, sessions: sessionAs('operator') });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('tab', { name: /History/ }));
    const table = await screen.findByTestId('revisions-table');
    await waitFor(() => expect(within(table).getByTestId('revision-row-2')).toBeInTheDocument());
    expect(screen.getByTestId('rollout-status')).toHaveTextContent('updating 1/2 on r3');
    expect(screen.getByTestId('replicas-current')).toHaveTextContent(
      '1 of 2 ready replicas run the current revision',
    );
    const row3 = within(table).getByTestId('revision-row-3');
    expect(row3).toHaveTextContent('current');
    expect(row3).toHaveTextContent('engine_config');
    // no rollback to the revision it runs
    expect(within(row3).queryByRole('button', { name: /Roll back/ })).toBeNull();

    await user.click(within(row3).getByRole('button', { name: 'Diff' }));
    const diff = await screen.findByTestId('revision-diff-3');
    expect(diff).toHaveTextContent('engine_config.max_model_len');
    expect(diff).toHaveTextContent('8192');

    await user.click(within(table).getByRole('button', { name: 'Roll back to revision 2' }));
    await user.click(await screen.findByRole('button', { name: 'Roll back' }));
    await waitFor(() => expect(a.callsTo('POST', '/api/v2/models/tiny/rollback')).toHaveLength(1));
    expect(a.callsTo('POST', '/api/v2/models/tiny/rollback')[0]?.body).toEqual({ to: 2 });
  });

  it('viewers see the history but no rollback or pause buttons', async () => {
    const a = api();
    renderApp({ route: '/models/tiny', fetch: a.fetch, sessions: sessionAs('viewer') });
    await userEvent.setup().click(await screen.findByRole('tab', { name: /History/ }));
    const table = await screen.findByTestId('revisions-table');
    await waitFor(() => expect(within(table).getByTestId('revision-row-1')).toBeInTheDocument());
    expect(screen.queryByRole('button', { name: /Roll back to revision/ })).toBeNull();
    expect(screen.queryByRole('button', { name: /Pause rollout/ })).toBeNull();
  });
});
