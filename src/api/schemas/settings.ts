import { z } from 'zod';
import { ClusterSettings, EngineOverrides } from '../../core/domain/index.js';
import { ResourceVersion, WithResourceVersion } from './common.js';

export const ClusterSettingsView = ClusterSettings.extend({ resource_version: ResourceVersion }).meta({
  id: 'ClusterSettings',
});
export type ClusterSettingsView = z.infer<typeof ClusterSettingsView>;

/** PUT /api/v2/settings/cluster: the fields to change (others keep their value). */
export const UpdateClusterSettingsBody = z
  .strictObject({
    engine_overrides: EngineOverrides.optional(),
    ...WithResourceVersion,
  })
  .meta({ id: 'UpdateClusterSettingsBody' });
export type UpdateClusterSettingsBody = z.infer<typeof UpdateClusterSettingsBody>;
