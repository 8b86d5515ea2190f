import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { fakeApi, fixtures, renderApp, sessionAs } from '../../test/harness.tsx';
import { durationToMs, validateAutoscaling } from './autoscaling-card.tsx';

const now = new Date().toISOString();
const detail = fixtures.modelDetail({
  model_uid: 'chat',
  model_name: 'org/chat',
  state: 'running',
  ready_replicas: 2,
  desired_replicas: 2,
  memory_estimate: null,
});
const decision = {
  at: now,
  current: 2,
  desired: 3,
  recommended: 3,
  reason: 'load',
  message: '20 in flight / target 8 per replica -> 3',
  dry_run: false,
  inputs: { inflight: 20, held: 0, queue: 0, rps: 4, ready: 2 },
};
const policy = {
  min_replicas: 0,
  max_replicas: 4,
  target: { metric: 'inflight', value: 8 },
  scale_up_window: '0s',
  scale_down_window: '30s',
  scale_to_zero_after: '10m',
  dry_run: false,
};

describe('model detail: autoscaling', () => {
  it("disables the header's Scale button while a policy sets the count, saying why", async () => {
    const deployment = { replicas: 2, node_selector: {}, placement_strategy: 'binpack', autoscaling: policy };
    const autoscaled = { ...detail, deployment };
    const api = fakeApi({
      'GET /api/v2/models/chat': () => autoscaled,
      'GET /api/v2/models/chat/autoscaling': () => ({ model_uid: 'chat', policy, status: null }),
    });
    renderApp({ route: '/models/chat', fetch: api.fetch, sessions: sessionAs('operator') });
    const user = userEvent.setup();
    const scale = await screen.findByRole('button', { name: 'Scale' });
    expect(scale).toBeDisabled();
    await user.hover(scale.parentElement!);
    expect(
      await screen.findByText('Autoscaled (0-4 replicas): change the autoscaling policy instead'),
    ).toBeInTheDocument();
  });

  it('shows the policy and the last decision to viewers, read-only', async () => {
    const api = fakeApi({
      'GET /api/v2/models/chat': () => detail,
      'GET /api/v2/models/chat/autoscaling': () => ({
        model_uid: 'chat',
        policy,
        status: {
          model_uid: 'chat',
          last_decision: decision,
          last_wake: { requested_at: now, latency_ms: 4200 },
        },
      }),
    });
    renderApp({ route: '/models/chat', fetch: api.fetch, sessions: sessionAs('viewer') });
    const card = await screen.findByTestId('autoscaling-card');
    await waitFor(() => expect(card).toHaveTextContent('0 to 4'));
    expect(card).toHaveTextContent('8 requests in flight per replica');
    expect(card).toHaveTextContent('up 0s, down 30s');
    expect(card).toHaveTextContent('after 10m idle');
    expect(card).toHaveTextContent('4.2 s from zero');
    const d = within(card).getByTestId('autoscale-decision');
    expect(d).toHaveTextContent('load');
    expect(d).toHaveTextContent('2 → 3');
    expect(d).toHaveTextContent('20 in flight / target 8 per replica -> 3');
    expect(within(card).queryByRole('button', { name: /autoscaling/i })).toBeNull();
  });

  it('lets operators set a policy, refusing min above max and scale to zero without min 0', async () => {
    const api = fakeApi({
      'GET /api/v2/models/chat': () => detail,
      'GET /api/v2/models/chat/autoscaling': () => ({ model_uid: 'chat', policy: null, status: null }),
      'PUT /api/v2/models/chat/autoscaling': () => detail,
    });
    renderApp({ route: '/models/chat', fetch: api.fetch, sessions: sessionAs('operator') });
    const card = await screen.findByTestId('autoscaling-card');
    await waitFor(() => expect(card).toHaveTextContent('Off: the replica count is fixed.'));
    const user = userEvent.setup();
    await user.click(within(card).getByRole('button', { name: 'Set autoscaling' }));
    const dialog = await screen.findByRole('dialog');
    const min = within(dialog).getByLabelText('Min replicas');
    const max = within(dialog).getByLabelText('Max replicas');
    await user.clear(min);
    await user.type(min, '5');
    await user.clear(max);
    await user.type(max, '3');
    expect(await within(dialog).findByText('Min replicas must not exceed max replicas')).toBeInTheDocument();
    expect(within(dialog).getByRole('button', { name: 'Save' })).toBeDisabled();
    await user.type(within(dialog).getByLabelText('Scale to zero after'), '10m');
    expect(within(dialog).getByText('Scale to zero needs min replicas 0')).toBeInTheDocument();
    await user.clear(min);
    await user.type(min, '0');
    await user.clear(within(dialog).getByLabelText('Scale-down window'));
    await user.type(within(dialog).getByLabelText('Scale-down window'), '30s');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(api.callsTo('PUT', '/api/v2/models/chat/autoscaling')).toHaveLength(1));
    expect(api.callsTo('PUT', '/api/v2/models/chat/autoscaling')[0]?.body).toEqual({
      policy: {
        min_replicas: 0,
        max_replicas: 3,
        target: { metric: 'inflight', value: 8 },
        scale_up_window: '0s',
        scale_down_window: '30s',
        scale_to_zero_after: '10m',
        dry_run: false,
      },
    });
  });

  it('turns autoscaling off', async () => {
    const api = fakeApi({
      'GET /api/v2/models/chat': () => detail,
      'GET /api/v2/models/chat/autoscaling': () => ({ model_uid: 'chat', policy, status: null }),
      'DELETE /api/v2/models/chat/autoscaling': () => detail,
    });
    renderApp({ route: '/models/chat', fetch: api.fetch, sessions: sessionAs('admin') });
    const card = await screen.findByTestId('autoscaling-card');
    const user = userEvent.setup();
    await user.click(await within(card).findByRole('button', { name: 'Edit autoscaling' }));
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Turn off' }));
    await waitFor(() => expect(api.callsTo('DELETE', '/api/v2/models/chat/autoscaling')).toHaveLength(1));
  });

  it('validates like the server: windows, KV fraction, durations', () => {
    const ok = {
      min: 1,
      max: 2,
      metric: 'inflight' as const,
      value: 8,
      up: '0s',
      down: '5m',
      zero: '',
      dryRun: false,
    };
    expect(validateAutoscaling(ok)).toEqual({});
    expect(validateAutoscaling({ ...ok, down: '0s' }).down).toMatch(/1s to 1d/);
    expect(validateAutoscaling({ ...ok, up: 'soon' }).up).toMatch(/duration/);
    expect(validateAutoscaling({ ...ok, metric: 'kv_cache', value: 70 }).value).toMatch(/fraction/);
    expect(validateAutoscaling({ ...ok, value: 0 }).value).toBe('A positive number');
    expect(durationToMs('1h30m')).toBe(5_400_000);
    expect(durationToMs('90')).toBe(90_000);
    expect(durationToMs('5 minutes')).toBeUndefined();
  });
});
