import { Alert, Stack } from '@mantine/core';
import { IconCloudOff } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { CatalogItem, ImportResponse } from '../../api/types.ts';
import { PageHeader } from '../../components/page-header.tsx';
import { notifications } from '@mantine/notifications';
import { DownloadedBlock } from './downloaded-block.tsx';
import { HubModelDrawer } from './hub-model-drawer.tsx';
import { ImportModal } from './import-modal.tsx';
import { SearchBlock } from './search-block.tsx';

/**
 * Seed 004: the Model Catalog. The asset view (what is downloaded, where, in what state) above the hub
 * search (Hugging Face / ModelScope) with a one-form download; without a reachable hub the page keeps
 * working in downloaded-only mode.
 */
export function CatalogPage() {
  const qc = useQueryClient();
  const [importing, setImporting] = useState<CatalogItem | null>(null);
  const [details, setDetails] = useState<CatalogItem | null>(null);
  const [highlight, setHighlight] = useState<string | null>(null);
  const [unavailable, setUnavailable] = useState<string | null>(null);

  const imported = (res: ImportResponse) => {
    const uid = res.model.model_uid;
    setImporting(null);
    setDetails(null);
    setHighlight(uid);
    notifications.show({
      color: 'teal',
      title: `Importing ${res.model.model_name}`,
      message: res.warnings.length
        ? `${uid} created. ${res.warnings.join(' ')}`
        : `${uid} created; the download progress shows under Downloaded models.`,
    });
    void qc.invalidateQueries({ queryKey: ['models'] });
    void qc.invalidateQueries({ queryKey: ['cache-summary'] });
    // Seed 004 §4.1: after submitting, the page switches to the downloaded models and their progress.
    document.getElementById('downloaded-models')?.scrollIntoView?.({ behavior: 'smooth', block: 'start' });
  };

  return (
    <>
      <PageHeader
        title="Model Catalog"
        description="Model assets in the cluster, and the hubs to fetch new ones from."
      />
      {unavailable !== null ? (
        <Alert
          color="orange"
          variant="light"
          icon={<IconCloudOff size={18} />}
          mb="md"
          data-testid="downloaded-only"
        >
          Downloaded-only mode: hub search is unavailable ({unavailable}). Downloaded models can still be
          managed.
        </Alert>
      ) : null}
      <Stack gap="lg">
        <DownloadedBlock highlight={highlight} />
        <SearchBlock onDownload={setImporting} onDetails={setDetails} onUnavailable={setUnavailable} />
      </Stack>
      <HubModelDrawer item={details} onClose={() => setDetails(null)} onDownload={setImporting} />
      <ImportModal item={importing} onClose={() => setImporting(null)} onImported={imported} />
    </>
  );
}
