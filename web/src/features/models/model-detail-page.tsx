import { Alert, Button, Card, SimpleGrid, Stack, Tabs, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconAlertTriangle, IconDeviceFloppy, IconMessageChatbot } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError } from '../../api/errors.ts';
import { useApi, usePermissions } from '../../auth/context.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { ErrorState } from '../../components/error-state.tsx';
import { BackCrumbs, PageHeader } from '../../components/page-header.tsx';
import { CardsSkeleton } from '../../components/skeletons.tsx';
import { StateBadge } from '../../components/state-badge.tsx';
import { formatRelative } from '../../lib/format.ts';
import {
  CacheCard,
  DeploymentCard,
  EndpointsCard,
  EventsTimeline,
  SectionCard,
  SpecCard,
  StatsRow,
} from './detail-sections.tsx';
import { AutoscalingCard } from './autoscaling-card.tsx';
import { AdaptersCard } from './adapters-card.tsx';
import { DownloadProgressBar } from './download-bar.tsx';
import { LogViewer } from './log-viewer.tsx';
import { ModelActions } from './model-actions.tsx';
import { RevisionsPanel, rolloutLine } from './revisions-panel.tsx';
import { DownloadButton, PullProgressBar } from './pull-panel.tsx';
import { SaveTemplateModal } from './save-template-modal.tsx';

/** Seed 002: the detail page refreshes every 8 seconds. */
export const DETAIL_POLL_MS = 8_000;

export function ModelDetailPage() {
  const { uid = '' } = useParams();
  const api = useApi();
  const navigate = useNavigate();
  const { canOperate } = usePermissions();
  const [tab, setTab] = useState<string | null>('overview');
  const [saveOpen, save] = useDisclosure(false);
  const detail = useQuery({
    queryKey: ['model', uid],
    queryFn: () => api.models.get(uid),
    refetchInterval: (q) =>
      q.state.error instanceof ApiError && q.state.error.status === 404 ? false : DETAIL_POLL_MS,
  });
  const m = detail.data;
  const crumbs = <BackCrumbs to="/models" label="Models" current={uid} />;

  if (!m) {
    if (detail.error instanceof ApiError && detail.error.status === 404) {
      return (
        <>
          {crumbs}
          <EmptyState
            title={`Model ${uid} does not exist`}
            description="It may have been deleted."
            action={
              <Button component={Link} to="/models" variant="light">
                Back to models
              </Button>
            }
          />
        </>
      );
    }
    return (
      <>
        {crumbs}
        {detail.isError ? (
          <ErrorState error={detail.error} onRetry={() => void detail.refetch()} />
        ) : (
          <CardsSkeleton count={3} height={200} />
        )}
      </>
    );
  }

  const replicaIds = [
    ...new Set([
      ...(m.plan?.assignments.map((a) => a.replica_id) ?? []),
      ...m.endpoints.map((e) => e.replica_id),
    ]),
  ].sort((a, b) => a - b);
  const activeDownloads = m.downloads.filter((d) => d.phase !== 'complete' || m.state === 'downloading');

  return (
    <>
      {crumbs}
      <PageHeader
        title={m.model_uid}
        badge={<StateBadge state={m.state} reason={m.state_reason} size="md" />}
        description={
          <>
            <Text span ff="monospace" size="sm">
              {m.model_name}
            </Text>{' '}
            · refreshed every 8 s · updated {formatRelative(m.updated_at)}
            {m.revision ? ` · revision ${m.revision}` : ''}
            {m.rollout && m.rollout.phase !== 'complete' ? ` · ${rolloutLine(m.rollout)}` : ''}
          </>
        }
        actions={
          <>
            {m.state === 'running' || m.state === 'degraded' || m.state === 'updating' ? (
              <Button
                variant="light"
                leftSection={<IconMessageChatbot size={16} />}
                onClick={() => void navigate(`/playground?model=${encodeURIComponent(m.model_uid)}`)}
              >
                Chat
              </Button>
            ) : null}
            {canOperate && m.state === 'stopped' ? <DownloadButton m={m} /> : null}
            {canOperate ? (
              <Button variant="default" leftSection={<IconDeviceFloppy size={16} />} onClick={save.open}>
                Save as template
              </Button>
            ) : null}
            <ModelActions model={m} onDeleted={() => void navigate('/models')} />
          </>
        }
      />
      {m.state_reason &&
      (m.state === 'failed' ||
        m.state === 'degraded' ||
        m.state === 'starting' ||
        m.state === 'updating' ||
        m.state === 'running') ? (
        <Alert
          color={m.state === 'failed' ? 'red' : m.state === 'updating' ? 'cyan' : 'orange'}
          variant="light"
          icon={<IconAlertTriangle size={18} />}
          mb="md"
          data-testid="state-reason"
        >
          {m.state_reason}
        </Alert>
      ) : null}
      <Stack gap="lg">
        {activeDownloads.length > 0 ? (
          <SectionCard title="Download progress" testId="downloads-card">
            <Stack gap="md">
              {activeDownloads.map((d) => (
                <DownloadProgressBar key={`${d.replica_id}-${d.node_id}`} p={d} />
              ))}
            </Stack>
          </SectionCard>
        ) : null}
        {m.pulls && m.pulls.length > 0 ? (
          <SectionCard title="Pre-pull (download without starting)" testId="pulls-card">
            <Stack gap="md">
              {m.pulls.map((p) => (
                <PullProgressBar key={p.node_id} p={p} />
              ))}
            </Stack>
          </SectionCard>
        ) : null}
        <StatsRow m={m} />
        <Tabs value={tab} onChange={setTab} keepMounted={false}>
          <Tabs.List mb="md">
            <Tabs.Tab value="overview">Overview</Tabs.Tab>
            <Tabs.Tab value="logs">Logs</Tabs.Tab>
            <Tabs.Tab value="events">Events ({m.events.length})</Tabs.Tab>
            <Tabs.Tab value="history">History{m.revision ? ` (r${m.revision})` : ''}</Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="overview">
            <Stack gap="lg">
              <SimpleGrid cols={{ base: 1, lg: 2 }}>
                <SpecCard m={m} />
                <DeploymentCard m={m} />
              </SimpleGrid>
              <AutoscalingCard uid={m.model_uid} current={m.desired_replicas} />
              <EndpointsCard m={m} onLogs={() => setTab('logs')} />
              <AdaptersCard m={m} />
              <CacheCard m={m} />
            </Stack>
          </Tabs.Panel>
          <Tabs.Panel value="logs">
            <LogViewer uid={m.model_uid} replicaIds={replicaIds} />
          </Tabs.Panel>
          <Tabs.Panel value="history">
            <RevisionsPanel m={m} />
          </Tabs.Panel>
          <Tabs.Panel value="events">
            <Card withBorder radius="md" padding="lg">
              <EventsTimeline events={m.events} />
            </Card>
          </Tabs.Panel>
        </Tabs>
      </Stack>
      {canOperate ? <SaveTemplateModal uid={m.model_uid} opened={saveOpen} onClose={save.close} /> : null}
    </>
  );
}
