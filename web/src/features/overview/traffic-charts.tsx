import type { ReactNode } from 'react';
import { AreaChart, LineChart } from '@mantine/charts';
import { Card, Group, SimpleGrid, Text } from '@mantine/core';
import { IconActivity, IconClock } from '@tabler/icons-react';
import { ErrorState } from '../../components/error-state.tsx';
import { formatCount, formatSeconds } from '../../lib/format.ts';
import type { useTraffic } from './use-traffic.ts';

function ChartCard({
  title,
  icon,
  right,
  children,
}: {
  title: string;
  icon: ReactNode;
  right?: ReactNode;
  children: ReactNode;
}) {
  return (
    <Card withBorder radius="md" padding="lg">
      <Group justify="space-between" mb="md">
        <Group gap={8}>
          {icon}
          <Text fw={600}>{title}</Text>
        </Group>
        {right}
      </Group>
      {children}
    </Card>
  );
}

function Waiting({
  text = 'Collecting samples… charts fill in as the router is polled every 5 s.',
}: {
  text?: string;
}) {
  return (
    <Text c="dimmed" size="sm" h={220} ta="center" pt={90}>
      {text}
    </Text>
  );
}

/** Request rate and latency (p50/p90/p99, TTFT p50) over the last polls of the router's metrics. */
export function TrafficCharts({ traffic }: { traffic: ReturnType<typeof useTraffic> }) {
  const { metrics, history } = traffic;
  if (metrics.isError && history.length === 0) {
    return (
      <ErrorState
        title="Router metrics are unavailable"
        error={metrics.error}
        onRetry={() => void metrics.refetch()}
      />
    );
  }
  const totals = metrics.data?.totals;
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }} data-testid="traffic-charts">
      <ChartCard
        title="Request rate"
        icon={<IconActivity size={18} />}
        right={
          <Text size="xs" c="dimmed">
            {totals
              ? `${formatCount(totals.requests_total)} request${totals.requests_total === 1 ? '' : 's'} · ${formatCount(totals.errors_total)} error${totals.errors_total === 1 ? '' : 's'}`
              : ''}
          </Text>
        }
      >
        {history.length < 2 ? (
          <Waiting />
        ) : (
          <AreaChart
            h={220}
            data={history}
            dataKey="label"
            series={[{ name: 'rate', label: 'requests/s', color: 'violet.6' }]}
            curveType="monotone"
            withDots={false}
            gridAxis="xy"
            tickLine="none"
            yAxisProps={{ domain: [0, (max: number) => Math.max(1, Math.ceil(max))], allowDecimals: false }}
            valueFormatter={(v) => `${v} req/s`}
            // Live data: redrawing from scratch on every poll would leave the chart mostly empty.
            areaProps={{ isAnimationActive: false }}
          />
        )}
      </ChartCard>
      <ChartCard
        title="Latency"
        icon={<IconClock size={18} />}
        right={
          <Text size="xs" c="dimmed">
            {totals
              ? `p50 ${formatSeconds(totals.latency_seconds.p50)} · TTFT ${formatSeconds(totals.ttft_seconds.p50)}`
              : ''}
          </Text>
        }
      >
        {history.length < 2 ? (
          <Waiting />
        ) : history.every((p) => p.p50 === null && p.ttft === null) ? (
          <Waiting text="No completed requests yet: latency appears with the first answered request." />
        ) : (
          <LineChart
            h={220}
            data={history}
            dataKey="label"
            series={[
              { name: 'p50', label: 'p50', color: 'teal.6' },
              { name: 'p90', label: 'p90', color: 'orange.6' },
              { name: 'p99', label: 'p99', color: 'red.6' },
              { name: 'ttft', label: 'TTFT p50', color: 'blue.6' },
            ]}
            curveType="monotone"
            withDots={false}
            withLegend
            connectNulls
            tickLine="none"
            unit=" ms"
            lineProps={{ isAnimationActive: false }}
          />
        )}
      </ChartCard>
    </SimpleGrid>
  );
}
