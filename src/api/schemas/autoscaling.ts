import { z } from 'zod';
import { AutoscaleStatus, AutoscalingPolicy } from '../../core/domain/index.js';
import { ResourceVersion } from './common.js';

/** `PUT /api/v2/models/{uid}/autoscaling`: the policy (see AutoscalingPolicy). */
export const AutoscalingBody = z
  .object({ policy: AutoscalingPolicy, resource_version: ResourceVersion.optional() })
  .strict()
  .meta({ id: 'AutoscalingBody' });

/** A model's autoscaling: its policy (null when off) and the autoscaler's last decision, if any. */
export const AutoscalingView = z
  .object({
    model_uid: z.string(),
    policy: AutoscalingPolicy.nullable(),
    status: AutoscaleStatus.nullable(),
  })
  .meta({ id: 'AutoscalingView' });
export type AutoscalingView = z.infer<typeof AutoscalingView>;
